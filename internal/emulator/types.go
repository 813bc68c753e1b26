package emulator

import (
	"net/http"
	"strconv"
)

// handleListTypes answers GET /api/v2/integrations/types: the two client application types,
// paged like every listing.
func (s *Server) handleListTypes(c *call) reply {
	q := c.r.URL.Query()
	var fields []fieldError
	pageSize, fe := pageParam(q, "pageSize", defaultPageSize, maxPageSize)
	if fe != nil {
		fields = append(fields, *fe)
	}
	pageNumber, fe := pageParam(q, "pageNumber", 1, 0)
	if fe != nil {
		fields = append(fields, *fe)
	}
	if len(fields) > 0 {
		return errorReply(errValidation(fields))
	}
	total := len(typeOrder)
	start := min((pageNumber-1)*pageSize, total)
	end := min(start+pageSize, total)
	entities := make([]IntegrationType, 0, end-start)
	for _, id := range typeOrder[start:end] {
		entities = append(entities, integrationTypes[id])
	}
	pageCount := (total + pageSize - 1) / pageSize
	page := func(n int) string {
		return "/api/v2/integrations/types?pageSize=" + strconv.Itoa(pageSize) + "&pageNumber=" + strconv.Itoa(n)
	}
	return reply{status: http.StatusOK, body: IntegrationTypeListing{
		Entities: entities, PageSize: pageSize, PageNumber: pageNumber, Total: total, PageCount: pageCount,
		FirstURI: page(1), SelfURI: page(pageNumber), LastURI: page(max(pageCount, 1)),
	}}
}

// handleGetType answers GET /api/v2/integrations/types/{typeId}; other types are 404.
func (s *Server) handleGetType(c *call) reply {
	t, ok := integrationTypes[c.params["typeId"]]
	if !ok {
		return errorReply(errNotFound())
	}
	return reply{status: http.StatusOK, body: t}
}
