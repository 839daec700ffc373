package handlers

import (
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
)

// placeholderPage is served when the binary was built without the UI (no
// `embedui` tag, e.g. `go run ./cmd/lianzhu` on a clean checkout).
const placeholderPage = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>联助 Lianzhu</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>联助 Lianzhu</h1>
<p>此二进制未包含前端页面。请运行 <code>make run</code> 构建并启动。</p>
<p>This binary was built without the web UI. Run <code>make run</code> to build and start it. The API is at <code>/api/v1</code>.</p></body></html>`

// ui serves the embedded single-page app: a file when one exists, otherwise
// index.html so that client-side routes survive a reload.
type ui struct {
	files fs.FS
	index []byte
}

func newUI(files fs.FS) *ui {
	u := &ui{files: files}
	if files != nil {
		if b, err := fs.ReadFile(files, "index.html"); err == nil {
			u.index = b
		}
	}
	if u.index == nil {
		u.index = []byte(placeholderPage)
	}
	return u
}

func (u *ui) serve(c *fiber.Ctx) error {
	p := c.Path()
	if strings.HasPrefix(p, "/api/") || p == "/api" {
		return domain.Errorf(domain.ENOTFOUND, "没有这个接口 / no such endpoint")
	}
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return domain.Errorf(domain.ENOTFOUND, "不支持该方法 / method not allowed")
	}
	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	// Dotfiles are never part of the app.
	if name != "" && name != "index.html" && !strings.HasPrefix(path.Base(name), ".") && u.files != nil {
		if b, err := fs.ReadFile(u.files, name); err == nil {
			ct := mime.TypeByExtension(path.Ext(name))
			if ct == "" {
				ct = fiber.MIMEOctetStream
			}
			c.Set(fiber.HeaderContentType, ct)
			if strings.HasPrefix(name, "assets/") {
				// Vite fingerprints everything under assets/.
				c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
			}
			return c.Send(b)
		}
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(u.index)
}
