// Back a page in the window's history, which goes back in the frame the form came in: Playwright's `go_back`
// waits for the main frame to navigate, and here only a frame does.
() => history.back()
