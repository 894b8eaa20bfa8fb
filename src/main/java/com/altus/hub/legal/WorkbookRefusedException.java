package com.altus.hub.legal;

/**
 * A workbook the hub will not import, with the reason the client is told (answered 400; an inbox
 * file goes to failed/). Nothing of a refused workbook is imported.
 */
public class WorkbookRefusedException extends RuntimeException {
    public WorkbookRefusedException(String reason) {
        super(reason);
    }

    public WorkbookRefusedException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
