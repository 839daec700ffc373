package handlers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/importer"
	"lianzhu/outreach"
	"lianzhu/store"
)

// ImportStore is what imports and exports need.
type ImportStore interface {
	importer.HouseholdSink
	importer.OfferingSink
	CreateImport(ctx context.Context, r *store.ImportRecord) error
	UpdateImportProgress(ctx context.Context, id string, done, total int) error
	FinishImport(ctx context.Context, id, status string, created, skipped int, errs []store.ImportRowError) error
	Import(ctx context.Context, id string) (store.ImportRecord, error)
	AppendAudit(ctx context.Context, r *store.AuditRecord) error
	ListNeeds(ctx context.Context, f store.NeedFilter) ([]domain.Need, string, error)
	ListOfferings(ctx context.Context, f store.OfferingFilter) ([]domain.Offering, string, error)
	ProvidersByID(ctx context.Context, ids []string) (map[string]domain.Provider, error)
}

// DefaultImportLimit bounds an uploaded import file.
const DefaultImportLimit = 20 << 20

// maxExportRows bounds one export; a district's lists are far smaller.
const maxExportRows = 100_000

type importHandlers struct {
	store     ImportStore
	places    *placeTree
	catalogue *domain.Catalogue
	index     Notifier
	work      context.Context
	log       *slog.Logger
	now       func() time.Time
	limit     int
	// outreach takes signal files in (kind signals).
	outreach *outreach.Engine
}

// importRoles may import: coordinators households in their place; admins and
// provider accounts offerings (a provider only its own).
func importRoles(kind importer.Kind) []domain.Role {
	if kind == importer.Households || kind == importer.Signals {
		return []domain.Role{domain.RoleCoordinator} // signals: district coordinators (signalIntake)
	}
	return []domain.Role{domain.RoleAdmin, domain.RoleNGO, domain.RoleUnit, domain.RoleEnterprise}
}

func importKind(s string) (importer.Kind, error) {
	switch k := importer.Kind(s); k {
	case importer.Households, importer.Offerings, importer.Signals:
		return k, nil
	}
	return "", domain.Invalid("kind", "enum", "kind 须为 households、offerings 或 signals / kind must be households, offerings or signals")
}

// template answers GET /imports/templates/:file, e.g. households.xlsx.
func (h *importHandlers) template(c *fiber.Ctx) error {
	name, format, _ := strings.Cut(c.Params("file"), ".")
	kind, err := importKind(name)
	if err != nil {
		return err
	}
	if _, err := authorize(c, "", importRoles(kind)...); err != nil {
		return err
	}
	if format != "xlsx" && format != "csv" {
		return domain.Invalid("format", "enum", "模板格式须为 xlsx 或 csv / format must be xlsx or csv")
	}
	var buf bytes.Buffer
	if err := importer.Template(kind, format, &buf); err != nil {
		return err
	}
	return h.attachment(c, string(kind)+"-template."+format, buf.Bytes())
}

func (h *importHandlers) attachment(c *fiber.Ctx, filename string, body []byte) error {
	ct := "text/csv; charset=utf-8"
	if strings.HasSuffix(filename, ".xlsx") {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	return c.Send(body)
}

// create accepts a multipart upload (field "file") and starts the import in
// the background: 202 with the import record, whose progress GET /imports/:id
// shows. ?partial=true imports good households and skips bad ones whole.
func (h *importHandlers) create(c *fiber.Ctx) error {
	kind, err := importKind(c.Query("kind"))
	if err != nil {
		return err
	}
	p, err := authorize(c, "", importRoles(kind)...)
	if err != nil {
		return err
	}
	if kind == importer.Signals {
		if _, err := signalIntake(c); err != nil {
			return err
		}
		if h.outreach == nil {
			return domain.Errorf(domain.EUNAVAILABLE, "数据信号导入未启用 / signal intake is not configured")
		}
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return domain.Invalid("file", "required", "请上传文件（表单字段 file）/ upload the file in form field \"file\"")
	}
	if fh.Size > int64(h.limit) {
		return domain.Errorf(domain.ETOOLARGE, "文件超过 %d MB / the file exceeds %d MB", h.limit>>20, h.limit>>20)
	}
	lower := strings.ToLower(fh.Filename)
	if !strings.HasSuffix(lower, ".xlsx") && !strings.HasSuffix(lower, ".csv") {
		return domain.Invalid("file", "format", "只接受 .xlsx 或 .csv 文件 / only .xlsx and .csv files")
	}
	f, err := fh.Open()
	if err != nil {
		return domain.Invalid("file", "format", "无法读取上传的文件 / cannot read the upload")
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(h.limit)+1))
	_ = f.Close()
	if err != nil {
		return domain.Invalid("file", "format", "无法读取上传的文件 / cannot read the upload")
	}
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return err
	}
	rec := store.ImportRecord{Kind: string(kind), Filename: fh.Filename, CreatedBy: p.Username, Place: p.Place, Status: store.ImportRunning}
	if err := h.store.CreateImport(c.UserContext(), &rec); err != nil {
		return err
	}
	opts := importer.Options{Places: tree, Catalogue: h.catalogue, Now: h.now(), CreatedBy: p.Username,
		AllowPartial: c.QueryBool("partial"), MaxBytes: int64(h.limit)}
	switch {
	case kind == importer.Households || kind == importer.Signals:
		opts.Scope = p.Place
	case p.Role != domain.RoleAdmin:
		opts.ProviderID = p.ProviderID // a provider imports its own offerings only
	}
	go h.run(rec, kind, data, opts)
	return c.Status(fiber.StatusAccepted).JSON(rec)
}

// run imports in the background, recording progress and the outcome.
func (h *importHandlers) run(rec store.ImportRecord, kind importer.Kind, data []byte, opts importer.Options) {
	ctx := h.work
	opts.Progress = func(done, total int) {
		if err := h.store.UpdateImportProgress(ctx, rec.ID, done, total); err != nil {
			h.log.Warn("import progress", "import", rec.ID, "err", err.Error())
		}
	}
	var rep importer.Report
	var err error
	switch kind {
	case importer.Households:
		rep, err = importer.ImportHouseholds(ctx, rec.Filename, bytes.NewReader(data), h.store, opts)
	case importer.Signals:
		sink := &outreach.FileSink{Engine: h.outreach, Place: opts.Scope, By: opts.CreatedBy}
		rep, err = importer.ImportSignals(ctx, rec.Filename, bytes.NewReader(data), sink, opts)
		if aerr := h.store.AppendAudit(context.WithoutCancel(ctx), &store.AuditRecord{Actor: rec.CreatedBy, Role: domain.RoleCoordinator,
			Action: "signals.import", Target: rec.ID, Place: rec.Place, Detail: fmt.Sprintf("rows %d, stored %d, batch %s", rep.Total, rep.Created, sink.Report.Batch)}); aerr != nil {
			h.log.Error("audit signal import", "import", rec.ID, "err", aerr.Error())
		}
	default:
		rep, err = importer.ImportOfferings(ctx, rec.Filename, bytes.NewReader(data), h.store, opts)
	}
	status := store.ImportDone
	errs := make([]store.ImportRowError, len(rep.Errors))
	for i, e := range rep.Errors {
		errs[i] = store.ImportRowError{Row: e.Row, Column: e.Column, Reason: e.Reason}
	}
	switch {
	case err != nil:
		status = store.ImportFailed
		errs = append(errs, store.ImportRowError{Reason: domain.ErrorMessage(err)})
		h.log.Error("import failed", "import", rec.ID, "err", err.Error())
	case len(rep.Errors) > 0 && !opts.AllowPartial:
		status = store.ImportRejected
	}
	if ferr := h.store.FinishImport(context.WithoutCancel(ctx), rec.ID, status, rep.Created, rep.Skipped, errs); ferr != nil {
		h.log.Error("finish import", "import", rec.ID, "err", ferr.Error())
	}
	if rep.Created > 0 {
		h.index.Notify()
	}
}

// get answers an import's progress and outcome to whoever started it.
func (h *importHandlers) get(c *fiber.Ctx) error {
	p, err := authorize(c, "", anyRole()...)
	if err != nil {
		return err
	}
	rec, err := h.store.Import(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if rec.CreatedBy != p.Username && p.Role != domain.RoleAdmin {
		return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	return c.JSON(rec)
}

// exportNeeds writes the need list as .xlsx: a coordinator their place with
// the resident's words, a provider open needs as neutral notes only. Audited.
func (h *importHandlers) exportNeeds(c *fiber.Ctx) error {
	p, err := authorize(c, "", needReaders()...)
	if err != nil {
		return err
	}
	f := store.NeedFilter{Limit: 500, State: domain.NeedState(c.Query("state")), Item: c.Query("item")}
	full := p.Role == domain.RoleCoordinator
	if full {
		if f.Within, err = coordinatorPlace(c); err != nil {
			return err
		}
	} else {
		f.Within, f.State = c.Query("place"), domain.NeedOpen
	}
	if f.State != "" && !f.State.Valid() {
		return domain.Invalid("state", "enum", "状态无效 / unknown state")
	}
	headers := []string{"需求编号", "服务项目代码", "服务项目", "中性描述", "社区", "紧急程度", "状态", "登记时间"}
	if full {
		headers = []string{"需求编号", "家庭档案", "成员", "服务项目代码", "服务项目", "居民原话", "中性描述", "区划代码", "紧急程度", "状态", "登记时间"}
	}
	var rows [][]string
	err = eachPage(c.UserContext(), &f.After, func(ctx context.Context) (string, error) {
		needs, next, err := h.store.ListNeeds(ctx, f)
		for _, n := range needs {
			name := h.itemName(n.Item)
			at := n.CreatedAt.In(shanghai).Format("2006-01-02 15:04")
			if full {
				rows = append(rows, []string{n.ID, n.HouseholdID, n.MemberID, n.Item, name, n.OwnWords, n.NeutralNote, n.Place, string(n.Urgency), string(n.State), at})
			} else {
				rows = append(rows, []string{n.ID, n.Item, name, n.NeutralNote, communityOf(n.Place), string(n.Urgency), string(n.State), at})
			}
		}
		return next, err
	})
	if err != nil {
		return err
	}
	return h.export(c, p, "needs", f.Within, headers, rows)
}

// exportOfferings writes the supply list as .xlsx (what every signed-in user
// may read). Audited like every export.
func (h *importHandlers) exportOfferings(c *fiber.Ctx) error {
	p, err := authorize(c, "", anyRole()...)
	if err != nil {
		return err
	}
	f := store.OfferingFilter{Limit: 500, Within: c.Query("place"), Item: c.Query("item"), Status: domain.OfferingStatus(c.Query("status"))}
	if f.Within != "" && domain.PlaceLevelOf(f.Within) == "" {
		return domain.Invalid("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	var list []domain.Offering
	err = eachPage(c.UserContext(), &f.After, func(ctx context.Context) (string, error) {
		page, next, err := h.store.ListOfferings(ctx, f)
		list = append(list, page...)
		return next, err
	})
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(list))
	for _, o := range list {
		ids = append(ids, o.ProviderID)
	}
	providers, err := h.store.ProvidersByID(c.UserContext(), ids)
	if err != nil {
		return err
	}
	headers := []string{"服务编号", "服务方", "服务项目代码", "服务项目", "服务名称", "容量", "剩余", "容量周期", "单价(元)", "服务券抵扣(元)", "服务时间", "状态", "有效期起", "有效期止"}
	rows := make([][]string, 0, len(list))
	for _, o := range list {
		until := ""
		if !o.ValidTo.IsZero() {
			until = o.ValidTo.In(shanghai).Format("2006-01-02")
		}
		rows = append(rows, []string{o.ID, providers[o.ProviderID].Name, o.Item, h.itemName(o.Item), o.Title,
			strconv.Itoa(o.Capacity), strconv.Itoa(o.Left), string(o.Period), yuan(o.PriceFen), yuan(o.VoucherFen),
			o.Schedule, string(o.Status), o.ValidFrom.In(shanghai).Format("2006-01-02"), until})
	}
	return h.export(c, p, "offerings", f.Within, headers, rows)
}

// export audits and sends one sheet.
func (h *importHandlers) export(c *fiber.Ctx, p domain.Principal, what, place string, headers []string, rows [][]string) error {
	var buf bytes.Buffer
	if err := importer.WriteXLSX(&buf, what, headers, rows); err != nil {
		return err
	}
	if err := h.store.AppendAudit(c.UserContext(), &store.AuditRecord{Actor: p.Username, Role: p.Role, Action: "export." + what,
		Target: what, Place: place, Detail: fmt.Sprintf("%d rows", len(rows)), IP: c.IP()}); err != nil {
		return err
	}
	return h.attachment(c, what+"-"+h.now().In(shanghai).Format("20060102-1504")+".xlsx", buf.Bytes())
}

func (h *importHandlers) itemName(code string) string {
	if it, ok := h.catalogue.Get(code); ok {
		return it.NameZh
	}
	return ""
}

// eachPage calls page until it returns no next cursor, storing the cursor in
// *after; it stops with EINVALID past maxExportRows pages' worth.
func eachPage(ctx context.Context, after *string, page func(ctx context.Context) (string, error)) error {
	for range maxExportRows / 500 {
		next, err := page(ctx)
		if err != nil || next == "" {
			return err
		}
		*after = next
	}
	return domain.Errorf(domain.ETOOLARGE, "导出超过 %d 行，请按区划或项目筛选 / more than %d rows: filter by place or item", maxExportRows, maxExportRows)
}

// shanghai is where times are shown (stored in UTC).
var shanghai = time.FixedZone("CST", 8*3600)

// communityOf cuts a compound code to its community: what providers may see.
func communityOf(place string) string {
	if len(place) > 12 {
		return place[:12]
	}
	return place
}

// yuan writes a non-negative amount as a plain number of yuan for sheets.
func yuan(f domain.Fen) string { return fmt.Sprintf("%d.%02d", int64(f)/100, int64(f)%100) }
