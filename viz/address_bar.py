"""What the page asks of the browser itself: its address kept in step with the desk (replaced, not
pushed, so Back still leaves the page rather than stepping through every day played), the page's
language, the cookie that remembers the start card was put away, and a Copy link button that falls back
to a field showing the link when the browser keeps the clipboard from the page.

Small Vue templates (ipyvue): Solara's router can read the query string (`use_router().search`) but
only pushes a history entry per change."""

from __future__ import annotations

import ipyvuetify as v
import traitlets

START_COOKIE = (
    "wargame-start"  # "put-away" once the start card is dismissed (for the browser's session)
)

_ADDRESS = """
<template><span class="page-address" style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    document.documentElement.setAttribute("lang", "en");
    this.write();
    this.remember();
  },
  watch: {
    query() { this.write(); },
    start_put_away() { this.remember(); },
  },
  methods: {
    write() {
      if (window.location.search.replace(/^[?]/, "") === this.query) { return; }
      const url = window.location.pathname + (this.query ? "?" + this.query : "") + window.location.hash;
      window.history.replaceState(window.history.state, "", url);
    },
    remember() {
      if (this.start_put_away) {
        document.cookie = "COOKIE=put-away; path=/; SameSite=Strict";
      }
    },
  },
};
</script>
""".replace("COOKIE", START_COOKIE)


class PageAddress(v.VuetifyTemplate):
    """Invisible: writes `query` into the address bar, sets <html lang="en"> and the start card's
    cookie."""

    template = traitlets.Unicode(_ADDRESS).tag(sync=True)
    query = traitlets.Unicode("").tag(sync=True)
    start_put_away = traitlets.Bool(False).tag(sync=True)


_COPY = """
<template>
  <v-menu v-model="open" :close-on-content-click="false" offset-y left min-width="360" max-width="620">
    <template v-slot:activator="{ on, attrs }">
      <v-btn text v-bind="attrs" v-on="on" @click="copy" class="copy-link" title="Copy a link to this view">
        <v-icon left>mdi-link-variant</v-icon>Copy link
      </v-btn>
    </template>
    <v-card class="copy-link-card">
      <v-card-text>
        <div class="copy-link-status" style="margin-bottom: 6px">{{ status }}</div>
        <v-text-field ref="field" :value="link" readonly dense hide-details outlined
                      label="link to this view" class="copy-link-field"
                      @focus="$event.target.select()"></v-text-field>
        <div v-for="c in caveats" class="copy-link-caveat" style="margin-top: 6px; font-size: 0.9em">{{ c }}</div>
      </v-card-text>
    </v-card>
  </v-menu>
</template>
<script>
module.exports = {
  data() { return { open: false, link: "", status: "" }; },
  methods: {
    copy() {
      // the address as the page keeps it (never a token: the server takes t= out on arrival, and it
      // is left out here all the same)
      const query = window.location.search.replace(/^[?]/, "").split("&")
        .filter((p) => p && p !== "t" && !p.startsWith("t=")).join("&");
      this.link = window.location.origin + window.location.pathname + (query ? "?" + query : "");
      const fallback = (why) => {
        this.status = "Select the link and copy it (Ctrl+C): " + why;
        this.$nextTick(() => {
          const input = this.$refs.field && this.$refs.field.$el.querySelector("input");
          if (input) { input.focus(); input.select(); }
        });
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(this.link).then(
          () => { this.status = "Copied to the clipboard."; },
          () => fallback("the browser did not let the page use the clipboard."),
        );
      } else {
        fallback("the browser gives this page no clipboard.");
      }
    },
  },
};
</script>
"""


class CopyLink(v.VuetifyTemplate):
    """A button that copies the page's address (as PageAddress keeps it) and shows it in a field, with
    what a link cannot carry. It reads the address rather than a value of its own: the app bar is drawn
    a moment after the page, and the link must be what the address bar says."""

    template = traitlets.Unicode(_COPY).tag(sync=True)
    caveats = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
