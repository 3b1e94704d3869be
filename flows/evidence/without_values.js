// A copy of the document without form values: server-rendered value attributes, textareas, selections.
() => {
    const root = document.documentElement.cloneNode(true);
    for (const el of root.querySelectorAll("input")) {
        const type = (el.getAttribute("type") || "").toLowerCase();
        if (!["submit", "button", "image", "reset"].includes(type)) el.removeAttribute("value");
    }
    for (const el of root.querySelectorAll("textarea")) el.textContent = "";
    for (const el of root.querySelectorAll("option")) el.removeAttribute("selected");
    return "<!DOCTYPE html>\n" + root.outerHTML;
}
