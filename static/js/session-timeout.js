// The idle timeout (SESSION_COOKIE_AGE, counted from the last request): warn a little before it
// ends, offer to stay signed in (a POST to the keep-alive), and say so when it has ended.
// The texts are in base.html (translated there); no inline script or style (CSP).
(function () {
  "use strict";
  var body = document.body;
  var box = document.getElementById("session-timeout");
  var ageMs = parseInt(body.dataset.sessionAge, 10) * 1000;
  var warnMs = parseInt(body.dataset.sessionWarning, 10) * 1000;
  if (!box || !ageMs) {
    return;
  }
  var message = document.getElementById("session-timeout-message");
  var stay = document.getElementById("session-timeout-stay");
  var close = document.getElementById("session-timeout-close");
  // Other tabs of the same session share its last request: a page loaded in one keeps the
  // others' sessions alive too.
  var STORAGE_KEY = "session-last-request";
  var lastRequest = Date.now();
  var state = "active";

  function remember(time) {
    lastRequest = Math.max(lastRequest, time);
    try {
      window.localStorage.setItem(STORAGE_KEY, String(lastRequest));
    } catch (error) {
      // no storage (private mode): this tab counts for itself
    }
  }

  function latestRequest() {
    var shared = 0;
    try {
      shared = parseInt(window.localStorage.getItem(STORAGE_KEY), 10) || 0;
    } catch (error) {
      shared = 0;
    }
    return Math.max(lastRequest, shared);
  }

  function editing() {
    var element = document.activeElement;
    return element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  function show(templateId) {
    box.hidden = false;
    // Set after unhiding, so that screen readers announce the alert.
    message.textContent = document.getElementById(templateId).content.textContent.trim();
  }

  function warn() {
    state = "warning";
    stay.hidden = false;
    close.hidden = true;
    show("session-timeout-warning");
    if (!editing()) {
      stay.focus(); // not while typing: the next keystrokes belong to the field
    }
  }

  function end() {
    state = "ended";
    stay.hidden = true;
    close.hidden = false;
    show("session-timeout-ended");
  }

  function hide() {
    state = "active";
    box.hidden = true;
    message.textContent = "";
  }

  function check() {
    if (state === "ended" || state === "closed") {
      return;
    }
    var left = latestRequest() + ageMs - Date.now();
    if (left <= 0) {
      end();
    } else if (left <= warnMs) {
      if (state !== "warning") {
        warn();
      }
    } else if (state === "warning") {
      hide(); // another tab kept the session alive
    }
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  stay.addEventListener("click", function () {
    stay.disabled = true;
    window
      .fetch(body.dataset.keepaliveUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual", // signed out: the login page's redirect, not a 204
        headers: { "X-CSRFToken": csrfToken() },
      })
      .then(function (response) {
        if (response.status === 204) {
          remember(Date.now());
          hide();
        } else {
          end();
        }
      })
      .catch(end)
      .finally(function () {
        stay.disabled = false;
      });
  });

  close.addEventListener("click", function () {
    state = "closed";
    box.hidden = true;
  });

  // An htmx request is a request too: the session's clock starts again.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      remember(Date.now());
    }
  });
  document.addEventListener("visibilitychange", check);

  remember(lastRequest);
  window.setInterval(check, 1000);
})();
