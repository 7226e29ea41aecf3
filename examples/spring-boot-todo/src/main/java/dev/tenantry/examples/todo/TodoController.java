package dev.tenantry.examples.todo;

import dev.tenantry.tenancy.hibernate.TenantSchema;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The tenant's todos. Nothing here names a tenant: the request's tenant is in scope for all of it. */
@RestController
@RequestMapping("/todos")
public class TodoController {

    /** What a client sends to create a todo. */
    public record NewTodo(String title) {
    }

    /** What a client sends to change a todo. */
    public record TodoChange(Boolean done) {
    }

    /** A todo as the API shows it. */
    public record TodoView(long id, String title, boolean done) {

        static TodoView of(Todo todo) {
            return new TodoView(todo.getId(), todo.getTitle(), todo.isDone());
        }
    }

    private final TodoRepository todos;
    private final JdbcClient jdbc;
    private final TodoStatistics statistics;

    public TodoController(TodoRepository todos, JdbcClient jdbc, TodoStatistics statistics) {
        this.todos = todos;
        this.jdbc = jdbc;
        this.statistics = statistics;
    }

    @PostMapping
    public ResponseEntity<TodoView> create(@RequestBody NewTodo request) {
        if (request == null || request.title() == null || request.title().isBlank() || request.title().length() > 500) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "A todo needs a title of 1 to 500 characters");
        }
        Todo todo = todos.save(new Todo(request.title().strip(), Instant.now()));
        return ResponseEntity.created(URI.create("/todos/" + todo.getId())).body(TodoView.of(todo));
    }

    /**
     * The tenant's todos, oldest first: all of them, a page ({@code page}, {@code size}), the open or done ones
     * ({@code done}, a derived query), or those whose title contains {@code q} (JPQL).
     */
    @GetMapping
    public List<TodoView> list(@RequestParam(required = false) Boolean done, @RequestParam(required = false) String q,
                               @RequestParam(required = false) Integer page, @RequestParam(defaultValue = "20") int size) {
        PageRequest pageRequest = PageRequest.of(page == null ? 0 : page, Math.max(1, Math.min(size, 500)), Sort.by("id"));
        List<Todo> found;
        if (q != null) {
            found = todos.search(q);
        } else if (done != null) {
            found = todos.findByDone(done, pageRequest).getContent();
        } else if (page != null) {
            found = todos.findAll(pageRequest).getContent();
        } else {
            found = todos.findAll(Sort.by("id"));
        }
        return found.stream().map(TodoView::of).toList();
    }

    @GetMapping("/{id}")
    public TodoView get(@PathVariable long id) {
        return todos.findById(id).map(TodoView::of)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No todo " + id));
    }

    @PatchMapping("/{id}")
    @Transactional
    public TodoView change(@PathVariable long id, @RequestBody TodoChange change) {
        Todo todo = todos.findById(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No todo " + id));
        if (change.done() != null) {
            todo.setDone(change.done());
        }
        return TodoView.of(todo);
    }

    /**
     * Counts three ways, each in the request's tenant: a Specification through JPA, a native query through Spring
     * Data, and hand-written SQL through the JdbcClient over Tenantry's DataSource, plus an {@code @Async} count on
     * another thread, which gets the tenant from the TaskDecorator.
     */
    @GetMapping("/stats")
    public Map<String, Object> stats() {
        CompletableFuture<TodoStatistics.Count> onAnotherThread = statistics.countOnAnotherThread();
        Specification<Todo> open = (root, query, cb) -> cb.isFalse(root.get("done"));
        long total = jdbc.sql("select count(*) from " + TenantSchema.PLACEHOLDER + ".todos").query(Long.class).single();
        TodoStatistics.Count async = onAnotherThread.join();
        return Map.of("total", total, "open", todos.count(open), "done", todos.countDone(),
                "asyncTotal", async.todos(), "asyncThread", async.thread(), "requestThread", Thread.currentThread().getName());
    }
}
