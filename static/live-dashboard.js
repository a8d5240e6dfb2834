// The ratings dashboard, live (docs/architecture.md, "Live updates"):
// progressive enhancement in GOV.UK Frontend's module pattern. Without
// JavaScript the page is exactly as it is; with it, an EventSource hears
// each committed change to the inspection's figures (whichever server the
// save landed on), the page is fetched again, only the parts that changed
// are swapped in place (focus elsewhere stays where it is), and one polite
// live-region message says what changed in words.

import { serialised } from '/assets/serialised.js'

function ratingsIn ($root) {
  const ratings = new Map()
  $root.querySelectorAll('[data-standard]').forEach(($row) => {
    ratings.set($row.dataset.standard, $row.dataset.rating)
  })
  return ratings
}

export class LiveDashboard {
  static moduleName = 'casemark-live-dashboard'

  constructor ($root) {
    this.$root = $root
    this.$status = document.getElementById($root.dataset.status)
    this.refresh = serialised(() => this.update())
    // EventSource reconnects by itself after a dropped connection, with the
    // browser's pause between tries; the server then sends `resync`.
    this.source = new EventSource($root.dataset.events)
    this.source.addEventListener('ratings', () => this.refresh())
    this.source.addEventListener('resync', () => this.refresh())
  }

  // Fetches the page again and swaps in what changed (one fetch at a time:
  // see serialised.js).
  async update () {
    const response = await fetch(window.location.href, {
      headers: { Accept: 'text/html' },
      credentials: 'same-origin'
    })
    if (!response.ok) return
    const page = new DOMParser().parseFromString(await response.text(), 'text/html')
    const $next = page.querySelector(`[data-module="${LiveDashboard.moduleName}"]`)
    if (!$next) return
    const before = ratingsIn(this.$root)
    const current = Array.from(this.$root.children)
    const fresh = Array.from($next.children)
    if (current.length !== fresh.length) {
      this.$root.replaceChildren(...fresh.map(($n) => document.importNode($n, true)))
    } else {
      fresh.forEach(($n, i) => {
        if (current[i].outerHTML !== $n.outerHTML) {
          current[i].replaceWith(document.importNode($n, true))
        }
      })
    }
    const changed = []
    ratingsIn(this.$root).forEach((rating, standard) => {
      if (before.get(standard) !== rating) changed.push(`${standard} is now ${rating}`)
    })
    if (this.$status) {
      this.$status.textContent = changed.length > 0
        ? `${changed.join('. ')}.`
        : 'The figures have been updated.'
    }
  }
}

export function initLiveDashboards () {
  if (!('EventSource' in window)) return
  document
    .querySelectorAll(`[data-module="${LiveDashboard.moduleName}"]`)
    .forEach(($root) => new LiveDashboard($root))
}
