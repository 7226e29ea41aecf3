-- A visitor's every request touches its session, so each tenant's few sessions gather dead rows and
-- changes quickly. With PostgreSQL's default thresholds (50 rows plus 20% for vacuum, plus 10% for
-- analyze) a tenant's small table is vacuumed and re-analysed every few dozen requests, and each new set
-- of statistics makes every pooled connection re-plan its prepared statements on the table: with a
-- thousand tenants that is a steady stream of work (docs/benchmarks.md, "Autovacuum on a thousand small
-- tables"). Sessions are found by token or by user through unique or selective indexes, whose plans do not
-- need fresh statistics; large tables are still governed by the scale factors.
ALTER TABLE anon_sessions SET (autovacuum_vacuum_threshold = 1000, autovacuum_analyze_threshold = 1000);
