"""Operating the platform: health endpoints, Prometheus metrics, structured logs and the Redis cache switch."""
