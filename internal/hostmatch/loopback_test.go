package hostmatch

import "testing"

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "localhost:8787": true, "127.0.0.1": true, "127.8.9.10:80": true,
		"::1": true, "[::1]": true, "[::1]:8080": true,
		"": false, ":8787": false, "0.0.0.0": false, "[::]:80": false, "192.168.1.10": false, "example.com": false,
		"localhost.example.com": false, "127.0.0.1.example.com": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
