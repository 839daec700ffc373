package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// deleteIndexes deletes every index whose uid starts with prefix. It speaks
// plain HTTP so that the harness does not depend on the code under test.
// Deletion is a task; it is not awaited because nothing reuses the prefix.
func deleteIndexes(base, key, prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var uids []string
	for offset := 0; ; offset += 100 {
		var page struct {
			Results []struct {
				UID string `json:"uid"`
			} `json:"results"`
			Total int `json:"total"`
		}
		if err := meiliDo(ctx, http.MethodGet, fmt.Sprintf("%s/indexes?limit=100&offset=%d", base, offset), key, &page); err != nil {
			return err
		}
		for _, r := range page.Results {
			if strings.HasPrefix(r.UID, prefix) {
				uids = append(uids, r.UID)
			}
		}
		if offset+100 >= page.Total {
			break
		}
	}
	for _, uid := range uids {
		if err := meiliDo(ctx, http.MethodDelete, base+"/indexes/"+url.PathEscape(uid), key, nil); err != nil {
			return err
		}
	}
	return nil
}

func meiliDo(ctx context.Context, method, url, key string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
