# One task group: Nomad starts both tasks together, with no ordering between them.
# The app waits for PostgreSQL with bootgate instead of crash-looping the group.
# nomad job run docs/deploy/nomad.hcl
job "shop" {
  datacenters = ["dc1"]

  group "shop" {
    network {
      mode = "bridge"
      port "http" { to = 8000 }
    }

    task "db" {
      driver = "docker"
      config {
        image = "postgres:16"
      }
      env {
        POSTGRES_USER     = "app"
        POSTGRES_PASSWORD = "secret"
        POSTGRES_DB       = "app"
      }
    }

    task "app" {
      driver = "docker"
      config {
        image   = "python:3.12-slim"
        command = "sh"
        args = ["-c", "pip install --quiet bootgate && exec bootgate wait --verbose -- python -m http.server 8000"]
        ports = ["http"]
      }
      env {
        # Same names as the flags: --timeout, --max-interval, targets.
        BOOTGATE_WAIT         = "postgres://app:secret@127.0.0.1:5432/app"
        BOOTGATE_TIMEOUT      = "2m"
        BOOTGATE_MAX_INTERVAL = "500ms"
      }
      service {
        name = "shop"
        port = "http"
        check {
          type     = "http"
          path     = "/"
          interval = "5s"
          timeout  = "2s"
        }
      }
    }
  }
}
