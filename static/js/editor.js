// The markdown editor (markdownx) indents on Tab, which traps keyboard
// users inside the field. Here Tab and Shift+Tab keep their usual meaning
// and move to the next or previous field; indenting stays on Ctrl+] and
// Ctrl+[ (Cmd on a Mac). Listening on window in the capture phase runs
// before the editor's own listener, which then never sees the Tab.
window.addEventListener(
  "keydown",
  (event) => {
    if (event.key === "Tab" && event.target.classList?.contains("markdownx-editor")) {
      event.stopPropagation();
    }
  },
  true,
);
