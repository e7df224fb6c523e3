module fake-platform/backend

go 1.24

require fake-platform/kube v0.0.0

replace fake-platform/kube => ../kube
