package dev.tenantry.examples.todo;

import dev.tenantry.core.MigrationResult;
import dev.tenantry.tenancy.TenantProvisioning;
import java.net.URI;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The sample's sign-up of a tenant: creates its schema and migrates it (idempotent). Excluded from the tenant
 * filter ({@code tenantry.web.excluded-paths}); an invalid id is answered with 400 by the starter's exception handler.
 * A real app would put this behind its own authorization.
 */
@RestController
public class TenantController {

    /** What a client sends to create a tenant. */
    public record NewTenant(String id) {
    }

    /** A tenant as the API shows it: no schema, which is the server's business. */
    public record TenantView(String id, String version, boolean created) {
    }

    private final ObjectProvider<TenantProvisioning> provisioning;

    /** Takes a provider: without Tenantry (the bench's baseline) there are no tenants to create. */
    public TenantController(ObjectProvider<TenantProvisioning> provisioning) {
        this.provisioning = provisioning;
    }

    @PostMapping("/tenants")
    public ResponseEntity<TenantView> create(@RequestBody NewTenant request) {
        if (request == null || request.id() == null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "A tenant needs an id");
        }
        TenantProvisioning tenants = provisioning.getIfAvailable();
        if (tenants == null) {
            throw new ResponseStatusException(HttpStatus.NOT_IMPLEMENTED, "This instance runs without tenants");
        }
        MigrationResult result = tenants.provision(request.id());
        TenantView view = new TenantView(request.id(), result.targetVersion(), result.schemaCreated());
        return result.schemaCreated() ? ResponseEntity.created(URI.create("/tenants/" + request.id())).body(view)
                : ResponseEntity.ok(view);
    }
}
