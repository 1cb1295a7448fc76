/* The course's search box: every word typed must start a word in a section (so "dos" finds
 * "dose" and "dosing"); sections whose title matches rank first. The index is a script
 * (search_index.js), so search also works when the site is opened from disk. */
(function () {
  "use strict";
  var index = window.COURSE_SEARCH_INDEX || [];
  var form = document.querySelector("form.search-page-form");
  var box = document.getElementById("search-page-box");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");

  function words(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").match(/[a-z0-9]+/g) || [];
  }

  var prepared = index.map(function (entry) {
    return { entry: entry, title: words(entry.page + " " + entry.section), body: words(entry.text) };
  });

  function hits(terms, tokens) {
    var count = 0;
    terms.forEach(function (term) {
      if (tokens.some(function (token) { return token.indexOf(term) === 0; })) count += 1;
    });
    return count;
  }

  function snippet(text, terms) {
    var lower = text.toLowerCase(), at = -1;
    terms.some(function (term) { at = lower.search(new RegExp("\\b" + term)); return at !== -1; });
    var start = Math.max(0, at - 60);
    return (start > 0 ? "\u2026" : "") + text.slice(start, start + 220) + (start + 220 < text.length ? "\u2026" : "");
  }

  function show(query) {
    list.innerHTML = "";
    var terms = words(query);
    if (!terms.length) { status.textContent = "Type one or more words."; return; }
    var found = prepared.map(function (item) {
      var inTitle = hits(terms, item.title);
      var inAny = hits(terms, item.title.concat(item.body));
      return { item: item, score: inAny === terms.length ? 10 * inTitle + 1 : 0 };
    }).filter(function (r) { return r.score > 0; });
    found.sort(function (a, b) { return b.score - a.score; });
    status.textContent = found.length ? found.length + " section" + (found.length > 1 ? "s" : "") + " found." : "Nothing found. Try fewer or shorter words.";
    found.slice(0, 50).forEach(function (r) {
      var e = r.item.entry, li = document.createElement("li"), a = document.createElement("a"), p = document.createElement("p");
      a.href = e.url;
      a.textContent = e.section ? e.page + " \u203a " + e.section : e.page;
      p.textContent = snippet(e.text, terms);
      li.appendChild(a); li.appendChild(p); list.appendChild(li);
    });
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  box.value = query;
  document.getElementById("search-box").value = query;
  if (query) show(query);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(box.value));
    show(box.value);
  });
})();
