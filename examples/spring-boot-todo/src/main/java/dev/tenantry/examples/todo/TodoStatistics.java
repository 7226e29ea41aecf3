package dev.tenantry.examples.todo;

import java.util.concurrent.CompletableFuture;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

/** Work on Boot's task executor: it runs in the tenant of the request that asked for it. */
@Service
public class TodoStatistics {

    /** A count and the thread it ran on, so that a client can see it was not the request's. */
    public record Count(long todos, String thread) {
    }

    private final TodoRepository todos;

    public TodoStatistics(TodoRepository todos) {
        this.todos = todos;
    }

    @Async
    public CompletableFuture<Count> countOnAnotherThread() {
        return CompletableFuture.completedFuture(new Count(todos.count(), Thread.currentThread().getName()));
    }
}
