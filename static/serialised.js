// One run of an async task at a time, for the live pages' fetches: a call
// while a run is under way asks for one more run when it ends (however many
// calls came meanwhile), so a burst of events never fetches concurrently and
// the last fetch always follows the last event. A failed run leaves the page
// as it was; the next event tries again.
export function serialised (task) {
  let busy = false
  let again = false
  const run = async () => {
    if (busy) {
      again = true
      return
    }
    busy = true
    try {
      await task()
    } catch {
      // Nothing to undo: the page is as it was.
    } finally {
      busy = false
      if (again) {
        again = false
        run()
      }
    }
  }
  return run
}
