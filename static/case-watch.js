// A marking form open while someone else saves the case (docs/architecture.md,
// "Live updates"): progressive enhancement in GOV.UK Frontend's module
// pattern. Without JavaScript the form is as it was, and the server's
// lost-update check still refuses a save over someone else's change. With
// it, an EventSource hears each committed save of the case (on whichever
// server it landed) and the server's notice of what changed since this form
// was loaded is placed in the page's polite live region, before the person
// saves over it. Nothing they have typed is touched.

import { serialised } from '/assets/serialised.js'

export class CaseWatch {
  static moduleName = 'casemark-case-watch'

  constructor ($root) {
    this.$root = $root
    this.refresh = serialised(() => this.update())
    this.source = new EventSource($root.dataset.events)
    this.source.addEventListener('saved', () => this.refresh())
    this.source.addEventListener('resync', () => this.refresh())
    // The person's own save navigates away: stop listening first, so it is
    // not reported to them as someone else's.
    document.addEventListener('submit', () => this.source.close())
  }

  // Fetches the notice of what changed since the form was loaded (one
  // fetch at a time: see serialised.js).
  async update () {
    const response = await fetch(this.$root.dataset.changes, {
      headers: { Accept: 'text/html' },
      credentials: 'same-origin'
    })
    // 204: nothing has changed since the form was loaded.
    if (response.status !== 200) return
    const fragment = new DOMParser().parseFromString(await response.text(), 'text/html')
    const $notice = fragment.getElementById('case-changes-notice')
    if (!$notice) return
    this.$root.replaceChildren(document.importNode($notice, true))
  }
}

export function initCaseWatches () {
  if (!('EventSource' in window)) return
  document
    .querySelectorAll(`[data-module="${CaseWatch.moduleName}"]`)
    .forEach(($root) => new CaseWatch($root))
}
