package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestClusterRestart(t *testing.T) {
	c := StartCluster(t)
	ping := func() error {
		conn, err := pgx.Connect(context.Background(), c.DSN())
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		return conn.Ping(context.Background())
	}
	if err := ping(); err != nil {
		t.Fatal(err)
	}
	c.Stop()
	if ping() == nil {
		t.Fatal("ping after stop succeeded")
	}
	c.Start()
	if err := ping(); err != nil {
		t.Fatal(err)
	}
}
