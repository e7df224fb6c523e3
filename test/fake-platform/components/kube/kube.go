// Package kube loads a client configuration the way the platform's programs do with client-go:
// the in-cluster config when the pod's variables say so, else the file KUBECONFIG names (else
// ~/.kube/config). Standard library only, so the fake platform builds in seconds.
package kube

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Client talks to one API server with one bearer token.
type Client struct {
	Server string
	Token  string
	Source string
	http   *http.Client
}

type kubeconfig struct {
	CurrentContext string `json:"current-context"`
	Clusters       []struct {
		Name    string `json:"name"`
		Cluster struct {
			Server string `json:"server"`
			CAData string `json:"certificate-authority-data"`
		} `json:"cluster"`
	} `json:"clusters"`
	Users []struct {
		Name string `json:"name"`
		User struct {
			Token string `json:"token"`
		} `json:"user"`
	} `json:"users"`
	Contexts []struct {
		Name    string `json:"name"`
		Context struct {
			Cluster string `json:"cluster"`
			User    string `json:"user"`
		} `json:"context"`
	} `json:"contexts"`
}

// Load mirrors rest.InClusterConfig() then clientcmd.BuildConfigFromFlags("", $KUBECONFIG).
// The kubeconfig must be JSON (a subset of YAML; the harness writes it so).
func Load() (*Client, error) {
	if os.Getenv("KUBERNETES_SERVICE_HOST") != "" && os.Getenv("KUBERNETES_SERVICE_PORT") != "" {
		return nil, fmt.Errorf("in-cluster variables are set (KUBERNETES_SERVICE_HOST=%s): this process would use the pod's cluster, not the harness's", os.Getenv("KUBERNETES_SERVICE_HOST"))
	}
	path := os.Getenv("KUBECONFIG")
	if path == "" {
		path = filepath.Join(os.Getenv("HOME"), ".kube", "config")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var kc kubeconfig
	if err := json.Unmarshal(raw, &kc); err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %v", path, err)
	}
	c := &Client{Source: path}
	for _, ctx := range kc.Contexts {
		if ctx.Name != kc.CurrentContext {
			continue
		}
		pool := x509.NewCertPool()
		for _, cl := range kc.Clusters {
			if cl.Name == ctx.Context.Cluster {
				c.Server = cl.Cluster.Server
				if ca, err := base64.StdEncoding.DecodeString(cl.Cluster.CAData); err == nil {
					pool.AppendCertsFromPEM(ca)
				}
			}
		}
		for _, u := range kc.Users {
			if u.Name == ctx.Context.User {
				c.Token = u.User.Token
			}
		}
		c.http = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: &tls.Config{RootCAs: pool}}}
	}
	if c.Server == "" || c.Token == "" {
		return nil, fmt.Errorf("kubeconfig %s: no server or token for context %q", path, kc.CurrentContext)
	}
	return c, nil
}

// WhoAmI asks the API server who the token is (a SelfSubjectReview), as kubectl auth whoami does.
func (c *Client) WhoAmI() (string, error) {
	body := []byte(`{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}`)
	req, _ := http.NewRequest(http.MethodPost, c.Server+"/apis/authentication.k8s.io/v1/selfsubjectreviews", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("selfsubjectreview: HTTP %d: %s", resp.StatusCode, data)
	}
	var r struct {
		Status struct {
			UserInfo struct {
				Username string `json:"username"`
			} `json:"userInfo"`
		} `json:"status"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return "", err
	}
	return r.Status.UserInfo.Username, nil
}
