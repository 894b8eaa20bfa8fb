package com.altus.hub.platform.run;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.springframework.stereotype.Component;

/**
 * Turns a {@link Error} thrown by a route step (an OutOfMemoryError, a StackOverflowError, an
 * assertion) into a failure of the exchange. Camel's routing handles exceptions only: an Error
 * would unwind past the route's error handling and the run ledger's policy, leaving a split's
 * queued units to run after the run was recorded. As a {@link FlowAbortedException} it is not
 * dead-lettered and fails the run at once, like any failure no unit can get past.
 */
@Component
public class ErrorsFailTheExchange implements InterceptStrategy {

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                try {
                    return super.process(exchange, callback);
                } catch (Error e) {
                    exchange.setException(new FlowAbortedException("step " + definition.getId() + " failed with "
                            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e));
                    callback.done(true);
                    return true;
                }
            }

            @Override
            public String toString() {
                return "ErrorsFailTheExchange[" + processor + "]";
            }
        };
    }
}
