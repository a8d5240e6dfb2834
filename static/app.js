// Progressive enhancement only: every page works without this script.
import { initAll } from '/assets/govuk-frontend.min.js'
import { initLiveDashboards } from '/assets/live-dashboard.js'
import { initCaseWatches } from '/assets/case-watch.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
initLiveDashboards()
initCaseWatches()
