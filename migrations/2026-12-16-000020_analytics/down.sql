DROP SCHEMA analytics CASCADE;
DROP SCHEMA analytics_private CASCADE;
