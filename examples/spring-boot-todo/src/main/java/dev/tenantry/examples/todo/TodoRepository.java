package dev.tenantry.examples.todo;

import dev.tenantry.tenancy.hibernate.TenantSchema;
import java.util.List;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/** Plain Spring Data: derived queries, paging, JPQL and a native query naming the tenant's schema by its placeholder. */
public interface TodoRepository extends JpaRepository<Todo, Long>, JpaSpecificationExecutor<Todo> {

    Page<Todo> findByDone(boolean done, Pageable page);

    @Query("select t from Todo t where lower(t.title) like lower(concat('%', :text, '%')) order by t.id")
    List<Todo> search(@Param("text") String text);

    @Query(value = "select count(*) from " + TenantSchema.PLACEHOLDER + ".todos where done", nativeQuery = true)
    long countDone();
}
