package webhook

import (
	"fmt"
	"net/http"
	"time"
)

// AzureDevOps returns the handler for an Azure DevOps service hook subscription (consumer
// webHooks, action httpRequest) to the git.push event, resource version 1.0, with resource
// details All or Minimal.
//
// Service hooks sign nothing; the subscription's basicAuthUsername and basicAuthPassword
// arrive as an Authorization: Basic header (use an https URL), compared in constant time
// before the body is read. An empty password is refused (ErrNoCredential); the username may be
// empty. The delivery id is the event's top-level id, which retries repeat (else
// subscriptionId/notificationId). One push updates
// one or more refs (resource.refUpdates); each becomes a Push.
//
// Docs: https://learn.microsoft.com/azure/devops/service-hooks/services/webhooks and
// https://learn.microsoft.com/azure/devops/service-hooks/events#git.push
func AzureDevOps(username, password string, o Options) (http.Handler, error) {
	if password == "" {
		return nil, fmt.Errorf("azuredevops webhook: %w: set webhooks.azuredevops.password", ErrNoCredential)
	}
	return newHandler(source{
		name: SourceAzureDevOps,
		headerAuth: func(r *http.Request) bool {
			u, p, ok := r.BasicAuth()
			// Both comparisons always run, so the time taken does not tell which one failed.
			userOK, passOK := equal(u, username), equal(p, password)
			return ok && userOK && passOK
		},
		challenge: `Basic realm="patrol", charset="UTF-8"`,
		parse:     parseAzureDevOps,
	}, o)
}

// adoEvent is the part of a service hook event patrol reads.
type adoEvent struct {
	ID             string `json:"id"`
	EventType      string `json:"eventType"`
	SubscriptionID string `json:"subscriptionId"`
	NotificationID int64  `json:"notificationId"`
	Resource       *struct {
		RefUpdates []struct {
			Name        string `json:"name"`
			OldObjectID string `json:"oldObjectId"`
			NewObjectID string `json:"newObjectId"`
		} `json:"refUpdates"`
		Repository *struct {
			RemoteURL string `json:"remoteUrl"`
		} `json:"repository"`
		PushedBy struct {
			DisplayName string `json:"displayName"`
			UniqueName  string `json:"uniqueName"`
		} `json:"pushedBy"`
		Date time.Time `json:"date"`
	} `json:"resource"`
}

func parseAzureDevOps(r *http.Request, body []byte, now time.Time) (delivery, error) {
	var ev adoEvent
	if err := decodeJSON(body, &ev); err != nil {
		return delivery{}, err
	}
	d := delivery{event: ev.EventType, id: ev.ID}
	if d.id == "" && ev.SubscriptionID != "" && ev.NotificationID != 0 {
		// A notification is one event sent to one subscription; its retries keep its id.
		d.id = fmt.Sprintf("%s/%d", ev.SubscriptionID, ev.NotificationID)
	}
	if ev.EventType != "git.push" {
		d.kind = kindOther
		return d, nil
	}
	pushes, err := adoPushes(ev, d.id, now)
	d.pushes = pushes
	return d, err
}

// adoPushes turns a git.push event into one Push per updated ref.
func adoPushes(ev adoEvent, id string, now time.Time) ([]Push, error) {
	res := ev.Resource
	if res == nil {
		return nil, fmt.Errorf("%w: no resource (set the subscription's resource details to send to All or Minimal)", errPayload)
	}
	if res.Repository == nil {
		return nil, fmt.Errorf("%w: no resource.repository", errPayload)
	}
	if len(res.RefUpdates) == 0 {
		return nil, fmt.Errorf("%w: no resource.refUpdates", errPayload)
	}
	pusher := res.PushedBy.UniqueName
	if pusher == "" {
		pusher = res.PushedBy.DisplayName
	}
	at := now
	if !res.Date.IsZero() {
		at = res.Date
	}
	pushes := make([]Push, 0, len(res.RefUpdates))
	for i, u := range res.RefUpdates {
		p := Push{
			Source:     SourceAzureDevOps,
			DeliveryID: id,
			Repository: res.Repository.RemoteURL,
			HTMLURL:    redactURL(res.Repository.RemoteURL),
			Ref:        u.Name,
			Before:     u.OldObjectID,
			After:      u.NewObjectID,
			Created:    isZeroID(u.OldObjectID),
			Deleted:    isZeroID(u.NewObjectID),
			Pusher:     pusher,
			At:         at,
		}
		f := fmt.Sprintf("resource.refUpdates[%d].", i)
		err := check(p, fields{repository: "resource.repository.remoteUrl", ref: f + "name", before: f + "oldObjectId", after: f + "newObjectId"})
		if err != nil {
			return nil, err
		}
		pushes = append(pushes, p)
	}
	return pushes, nil
}
