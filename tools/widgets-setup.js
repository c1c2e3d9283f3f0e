// Runs after require.js and before the ipywidgets HTML manager (see nb_ipywidgets_js in
// _config.yml) so that a built page renders its widgets with no internet:
// - require.js "paths" point at the book's own copies (tools/offline_assets.py copies them next
//   to this file): "anywidget" is the anywidget front end, which the HTML manager would
//   otherwise fetch from a CDN; "@jupyter-widgets/html-manager/dist" makes the manager's
//   webpack public path, and so its fonts, resolve to offline/html-manager/.
// - The HTML manager typesets widget labels with the MathJax 2 call MathJax.Hub.Queue; the book
//   loads MathJax 3, so a small MathJax.Hub stands in for it.
// - The page's root element gets the attribute data-bp-saved-widgets: the widgets here are drawn
//   from the state saved when the book was built, with no kernel behind them, so the explorers
//   (ui.js probeKernel) compute in the browser at once instead of waiting for a ping to time out.
// Paths are built from this script's own address: the same file works at any page depth, over
// http:// and over file://. When the book was built without npm, the attributes
// data-anywidget and data-html-manager carry CDN addresses instead.
(function () {
  "use strict";
  var script = document.currentScript;
  var src = script.src.split("?")[0];
  var here = src.slice(0, src.lastIndexOf("/") + 1);
  document.documentElement.setAttribute("data-bp-saved-widgets", "");
  window.requirejs.config({
    paths: {
      anywidget: script.getAttribute("data-anywidget") || here + "anywidget/index",
      "@jupyter-widgets/html-manager/dist":
        script.getAttribute("data-html-manager") || here + "html-manager",
    },
  });
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (!mathjax || mathjax.Hub || !mathjax.typesetPromise) {
      return;
    }
    mathjax.Hub = {
      Queue: function (job) {
        var element = Array.isArray(job) ? job[2] : undefined;
        return mathjax.startup.promise.then(function () {
          return mathjax.typesetPromise(element ? [element] : undefined);
        });
      },
    };
  });
})();
