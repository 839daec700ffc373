package testenv_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/internal/proc"
	"lianzhu/internal/testenv"
	"lianzhu/search"
	"lianzhu/store"
)

// childEnv switches the test binary into a child that starts the embedded
// stack in the named folder, prints the servers' pids and waits to be killed.
const childEnv = "LIANZHU_TESTENV_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		runChild(dir)
		return
	}
	testenv.Main(m)
}

const childKey = "child-master-key-0123456789"

func startStack(ctx context.Context, dir string) (*store.Embedded, *search.Local, error) {
	pgBin, err := testenv.PGBin()
	if err != nil {
		return nil, nil, err
	}
	meiliBin, err := testenv.MeiliBin()
	if err != nil {
		return nil, nil, err
	}
	db, err := store.StartEmbedded(ctx, store.EmbeddedOptions{DataDir: filepath.Join(dir, "data"), PGBin: pgBin})
	if err != nil {
		return nil, nil, err
	}
	local, err := search.StartLocal(ctx, search.LocalOptions{DataDir: filepath.Join(dir, "meili"), Bin: meiliBin, MasterKey: childKey})
	if err != nil {
		_ = db.Close(ctx)
		return nil, nil, err
	}
	return db, local, nil
}

func runChild(dir string) {
	db, local, err := startStack(context.Background(), dir)
	if err != nil {
		fmt.Println("error", strings.ReplaceAll(err.Error(), "\n", " | "))
		os.Exit(1)
	}
	fmt.Println("pids", db.PostgresPID(), local.PID())
	select {}
}

// TestChildrenDieWithServer SIGKILLs a process running the embedded stack —
// no deferred Close, no signal handler — and expects PostgreSQL and
// Meilisearch to go with it; then the same folders must start again.
func TestChildrenDieWithServer(t *testing.T) {
	dir := testenv.PostgresDir(t, "lianzhu-testenv-")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	var pgPID, meiliPID int
	if _, err := fmt.Sscanf(line, "pids %d %d", &pgPID, &meiliPID); err != nil {
		t.Fatalf("child said %q", line)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range []int{pgPID, meiliPID} {
		for !proc.Gone(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("pid %d outlived the SIGKILLed server by 10 s", pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// The killed server left postmaster.pid and an unclean cluster behind.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, local, err := startStack(ctx, dir)
	if err != nil {
		t.Fatalf("restart after SIGKILL: %v", err)
	}
	if err := local.Close(ctx); err != nil {
		t.Error(err)
	}
	if err := db.Close(ctx); err != nil {
		t.Error(err)
	}
}

func TestHelpers(t *testing.T) {
	ctx := context.Background()
	targets := testenv.MongoTargets(t)
	if len(targets) == 0 || !targets[0].FerretDB || targets[0].URI != testenv.MongoURI(t) {
		t.Fatalf("MongoTargets = %+v", targets)
	}
	for _, tg := range targets {
		t.Run(tg.Name, func(t *testing.T) {
			name := testenv.DBName(t)
			if other := testenv.DBName(t); other == name {
				t.Fatalf("DBName repeated %q", name)
			}
			client, err := mongo.Connect(options.Client().ApplyURI(tg.URI))
			if err != nil {
				t.Fatal(err)
			}
			defer client.Disconnect(ctx)
			coll := client.Database(name).Collection("things")
			if _, err := coll.InsertOne(ctx, bson.M{"_id": "a", "n": 1}); err != nil {
				t.Fatal(err)
			}
			var got struct{ N int }
			if err := coll.FindOne(ctx, bson.M{"_id": "a"}).Decode(&got); err != nil || got.N != 1 {
				t.Fatalf("FindOne: %+v, %v", got, err)
			}
		})
	}

	url, key := testenv.Meili(t)
	prefix := testenv.IndexPrefix(t)
	req, _ := http.NewRequest(http.MethodPost, url+"/indexes", strings.NewReader(`{"uid":"`+prefix+`x"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("create index: %s", resp.Status)
	}
}
