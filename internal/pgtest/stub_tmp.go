// Package pgtest TEMPORARY stub, replaced by the store-pg branch.
package pgtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func DSN(t testing.TB) string {
	admin := os.Getenv("PATROL_TEST_POSTGRES_DSN")
	if admin == "" {
		t.Skip("no PATROL_TEST_POSTGRES_DSN")
	}
	name := fmt.Sprintf("patrol_test_%d", rand.Uint64())
	c, err := pgx.Connect(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
	})
	return strings.Replace(admin, "/postgres?", "/"+name+"?", 1)
}
