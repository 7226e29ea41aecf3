package dev.tenantry.cli;

/** Placeholder so the module builds while the command line is written. */
public final class TenantryCommand {
    public static void main(String[] args) {
    }
}
