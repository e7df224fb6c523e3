module fake-platform/kube

go 1.24
