"""Background work on Django's task API (django-tasks): the registry of periodic jobs (`registry.periodic`), the
scheduler that enqueues each once per period (`scheduler.scheduler_tick`, `wrp scheduler`), the runner that executes
and retries them on a worker (`runner.run_scheduled`, `wrp worker`) and the jobs themselves (`jobs`). docs/workers.md
says how to run them."""
