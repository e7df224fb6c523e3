// A stand-in for the platform's operator, built by the harness's --build like the real one. It
// takes the real operator's flags (--health-probe-bind-address, --metrics-bind-address,
// --leader-elect), loads its client config in-cluster first then from KUBECONFIG, and — like the
// operator at 6b21778, whose metric instruments are nil without a collector — refuses to run
// without OTEL_EXPORTER_OTLP_ENDPOINT: it sends one OTLP/gRPC Export there (cleartext HTTP/2, as
// otlpmetricgrpc.WithInsecure does) and is ready only when the collector answered grpc-status 0.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fake-platform/kube"
)

// exportOnce sends an empty ExportMetricsServiceRequest and returns the gRPC status.
func exportOnce(endpoint string) (string, error) {
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Protocols: &protocols}}
	frame := []byte{0, 0, 0, 0, 0} // uncompressed, zero-length message
	req, _ := http.NewRequest(http.MethodPost, "http://"+endpoint+"/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", bytes.NewReader(frame))
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("TE", "trailers")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.Trailer.Get("Grpc-Status"), nil
}

func main() {
	probeAddr := flag.String("health-probe-bind-address", ":8081", "The address the probe endpoint binds to.")
	metricsAddr := flag.String("metrics-bind-address", ":8080", "The address the metric endpoint binds to.")
	flag.Bool("leader-elect", false, "Enable leader election.")
	flag.Parse()

	client, err := kube.Load()
	if err != nil {
		log.Fatalf("Failed to initialize Kubernetes clients: %v", err)
	}
	user, err := client.WhoAmI()
	if err != nil {
		log.Fatalf("Failed to reach the API server: %v", err)
	}
	log.Printf("API server %s as %s", client.Server, user)

	endpoint := os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	if endpoint == "" {
		panic("OTEL_EXPORTER_OTLP_ENDPOINT not set: metric instruments are nil (the operator at 6b21778 panics here on its first session)")
	}
	status, err := exportOnce(endpoint)
	if err != nil || status != "0" {
		log.Fatalf("OTLP export to %s failed: status %q, %v", endpoint, status, err)
	}
	log.Printf("OTLP export to %s: grpc-status %s", endpoint, status)

	metrics := http.NewServeMux()
	metrics.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "fake_operator_up 1\n")
	})
	go func() { log.Fatal(http.ListenAndServe(*metricsAddr, metrics)) }()
	probes := http.NewServeMux()
	probes.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	probes.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	server := &http.Server{Addr: *probeAddr, Handler: probes}
	go func() { log.Fatal(server.ListenAndServe()) }()
	log.Printf("health probes on %s, metrics on %s", *probeAddr, *metricsAddr)

	// Unlike the backend, the operator stops on SIGTERM (controller-runtime's signal handler).
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	<-ctx.Done()
	log.Println("stopping on signal")
	server.Shutdown(context.Background())
}
