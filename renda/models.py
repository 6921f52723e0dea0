"""No models. The module exists so that `migrate` sends this app post_migrate, which creates the cache table
(renda.apps.create_cache_table)."""
