/* Draw the page's Mermaid diagrams in the browser, with Mermaid's strict security level
   (no HTML labels, no click callbacks).  A diagram whose source does not parse stays as
   source, with a note, instead of Mermaid's error picture. */
(function () {
  "use strict";
  if (typeof mermaid === "undefined") return;
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });

  function broken(node) {
    node.classList.add("dd-mermaid-error");
    var note = document.createElement("p");
    note.className = "dd-note";
    note.textContent = "This diagram could not be drawn: its Mermaid source has an error.";
    node.parentNode.insertBefore(note, node);
  }

  async function draw() {
    var nodes = Array.prototype.slice.call(document.querySelectorAll("pre.mermaid"));
    var good = [];
    for (var i = 0; i < nodes.length; i++) {
      var ok = false;
      try {
        ok = await mermaid.parse(nodes[i].textContent, { suppressErrors: true });
      } catch (e) {
        ok = false;
      }
      if (ok) good.push(nodes[i]); else broken(nodes[i]);
    }
    if (good.length) await mermaid.run({ nodes: good, suppressErrors: true });
    /* Each diagram's own width, for site.css: on a narrow screen a wide diagram scrolls
       sideways instead of shrinking its text to nothing. */
    good.forEach(function (node) {
      var svg = node.querySelector("svg");
      var box = svg && svg.viewBox && svg.viewBox.baseVal;
      if (box && box.width) svg.style.setProperty("--dd-diagram-width", Math.round(box.width) + "px");
    });
    document.documentElement.setAttribute("data-mermaid", "done");
  }

  draw();
})();
