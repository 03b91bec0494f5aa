-- migrate:up
-- Application tables live in the "app" schema (rb's default search_path is app, public);
-- dbmate's tracking table stays in public.
create schema app;

-- migrate:down
drop schema app;
