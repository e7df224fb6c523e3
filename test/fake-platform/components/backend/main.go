// A stand-in for the platform's backend, built by the harness's --build exactly as the real one
// (CGO_ENABLED=0, inside its component, through a local `replace`). Like the real backend it
// loads its client config in-cluster first, then from KUBECONFIG; serves GET /health on $PORT;
// and ignores SIGTERM (the real one's signal.NotifyContext only cancels a background sync), so
// a teardown has to escalate to SIGKILL. GET /env reports what the harness gave it.
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fake-platform/kube"
)

func main() {
	terms := make(chan os.Signal, 4)
	signal.Notify(terms, syscall.SIGTERM)
	go func() {
		for range terms {
			log.Println("SIGTERM received and ignored, as the real backend does")
		}
	}()

	client, err := kube.Load()
	if err != nil {
		log.Fatalf("Failed to initialize Kubernetes clients: %v", err)
	}
	user, err := client.WhoAmI()
	if err != nil {
		log.Fatalf("Failed to reach the API server: %v", err)
	}
	log.Printf("API server %s as %s (config from %s)", client.Server, user, client.Source)

	// An outbound call a real backend makes (it looks tokens up on GitHub); .invalid never resolves.
	egress := "reached"
	if _, err := (&http.Client{Timeout: 5 * time.Second}).Get("https://egress-check.invalid/user"); err != nil {
		egress = err.Error()
	}
	models, modelsErr := os.ReadFile(os.Getenv("MODELS_MANIFEST_PATH"))
	cwd, _ := os.Getwd()
	report := map[string]any{
		"user":           user,
		"kubeconfig":     client.Source,
		"namespace":      os.Getenv("NAMESPACE"),
		"inClusterHost":  os.Getenv("KUBERNETES_SERVICE_HOST"),
		"stateBaseDir":   os.Getenv("STATE_BASE_DIR"),
		"models":         string(models),
		"modelsError":    fmt.Sprint(modelsErr),
		"fromDeployment": os.Getenv("FAKE_SETTING"),
		"otlpEndpoint":   os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"),
		"egress":         egress,
		"workingDir":     cwd,
	}

	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"healthy"}`))
	})
	http.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(report)
	})
	// FAKE_BACKEND_API=hang holds every API call open (a harness then sits in its scenarios).
	http.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv("FAKE_BACKEND_API") == "hang" {
			<-r.Context().Done()
			return
		}
		http.Error(w, `{"error":"the fake backend serves no API"}`, http.StatusNotFound)
	})
	log.Printf("Server starting on port %s", os.Getenv("PORT"))
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))
}
