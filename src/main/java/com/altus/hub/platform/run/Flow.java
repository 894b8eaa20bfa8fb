package com.altus.hub.platform.run;

/**
 * One named unit of work of the hub (azure-sync, doorloop-sync, ...). The {@link FlowRunner}
 * gives every run a {@code sync_jobs} row, single-flight across instances, metrics and a
 * {@link RunContext}; a flow only does its work.
 *
 * <p>Outcome: return normally for succeeded; record dead letters or call
 * {@link RunContext#partial(String)} for partial; throw for failed.
 */
public interface Flow {

    /** The flow's kebab-case name, as in CONTRACT section 4. */
    String name();

    void run(RunContext ctx) throws Exception;
}
