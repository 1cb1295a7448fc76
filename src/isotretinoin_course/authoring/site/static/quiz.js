/* Course quizzes on the static site: judge answers, show feedback and keep score in the page.
 *
 * The questions, their order and their options' order are in the page, written at build time from the
 * course's own quiz objects; nothing here reorders them. The rules mirror
 * isotretinoin_course.models.quiz.check_answer (and core.inputs.read_number for typed numbers), the
 * feedback HTML is that of widgets.quiz.feedback_html and the score line that of QuizProgress.summary,
 * so a student gets the same verdict in the same words here as in the live notebook.
 * tests/browser/test_site.py compares this file's verdicts with Python's on every question of the course.
 * Nothing is stored or sent. Feedback texts in the page's JSON were marked up at build time.
 */
(function () {
  "use strict";

  var FIELD = "Your answer";
  var PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
  var AMBIGUOUS_COMMA = /^[+-]?[1-9]\d{0,2},\d{3}$/;
  var GROUPED = /^[+-]?[1-9]\d{0,2}([,. '\u00a0\u202f]\d{3})+([.,]\d+)?$/;
  var BOLD = /\*\*(.+?)\*\*/g;
  var ITALIC = /(?<![\p{L}\p{N}_*])\*(?!\s)(.+?)(?<!\s)\*(?![\p{L}\p{N}_*])/gu;

  // core.markup.inline_markup: escape &, < and > (not quotes), then **bold** and *italic*.
  function inlineMarkup(text) {
    var escaped = String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    return escaped.replace(BOLD, "<strong>$1</strong>").replace(ITALIC, "<em>$1</em>");
  }

  // Python's repr() of a string, as the course's messages quote what was typed.
  function pyRepr(text) {
    var quote = text.indexOf("'") !== -1 && text.indexOf('"') === -1 ? '"' : "'";
    var body = text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
    if (quote === "'") body = body.replace(/'/g, "\\'");
    return quote + body + quote;
  }

  // Python's format(x, "g"): six significant digits, exponent form below 1e-4 and from 1e6.
  function formatG(x) {
    if (x === 0) return "0";
    if (!isFinite(x)) return x > 0 ? "inf" : "-inf";
    var parts = x.toExponential(5).split("e");
    var exponent = parseInt(parts[1], 10);
    if (exponent < -4 || exponent >= 6) {
      var mantissa = parts[0].indexOf(".") !== -1 ? parts[0].replace(/0+$/, "").replace(/\.$/, "") : parts[0];
      var size = Math.abs(exponent);
      return mantissa + "e" + (exponent < 0 ? "-" : "+") + (size < 10 ? "0" : "") + size;
    }
    var fixed = x.toFixed(Math.max(0, 5 - exponent));
    return fixed.indexOf(".") !== -1 ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
  }

  // core.inputs.read_number for typed text: {value} or {error}.
  function readNumber(text, unit) {
    var of = unit ? " of " + unit : "";
    var cleaned = text.trim();
    if (unit && cleaned.toLowerCase().endsWith(unit.toLowerCase())) {
      cleaned = cleaned.slice(0, cleaned.length - unit.length).replace(/\s+$/, "");
    }
    if (!cleaned) return { error: FIELD + ": enter a number" + of };
    if (["nan", "inf", "infinity"].indexOf(cleaned.toLowerCase().replace(/^[+-]+/, "")) !== -1) {
      return { error: FIELD + ": " + pyRepr(text.trim()) + " is not a finite number" };
    }
    if (AMBIGUOUS_COMMA.test(cleaned)) {
      return { error: FIELD + ": " + pyRepr(cleaned) + " is ambiguous: the comma could separate thousands or decimals; type " +
        cleaned.replace(/,/g, "") + " or " + formatG(Number(cleaned.replace(/,/g, "."))) + " (no thousands separators)" };
    }
    if (GROUPED.test(cleaned)) {
      return { error: FIELD + ": " + pyRepr(cleaned) + " has a thousands separator, which could be misread; type the number without it" };
    }
    if ((cleaned.match(/,/g) || []).length === 1 && cleaned.indexOf(".") === -1) cleaned = cleaned.replace(",", ".");
    if (!PLAIN_NUMBER.test(cleaned)) return { error: FIELD + ": " + pyRepr(text.trim()) + " is not a number" + of };
    var value = Number(cleaned);
    if (!isFinite(value)) return { error: FIELD + ": " + pyRepr(text) + " is not a finite number" };
    return { value: value };
  }

  function invalid(message) {
    return { valid: false, correct: false, feedback: [], misconceptions: [], message: message };
  }

  function judged(correct, feedback, misconceptions) {
    return { valid: true, correct: correct, feedback: feedback, misconceptions: misconceptions, message: "" };
  }

  function checkSingle(question, chosen) {
    if (chosen === null || chosen === undefined || chosen === "") return invalid("Choose one option, then check your answer.");
    var option = question.options.filter(function (o) { return o.id === chosen; })[0];
    if (!option) return invalid(pyRepr(String(chosen)) + " is not one of the options.");
    return judged(option.correct, [option.feedback], option.misconception ? [option.misconception] : []);
  }

  function checkMultiple(question, chosen) {
    if (!chosen.length) return invalid("Tick at least one option, then check your answer.");
    var feedback = [], misconceptions = [], missed = 0, allRight = true;
    question.options.forEach(function (option) {
      var picked = chosen.indexOf(option.id) !== -1;
      if (picked) feedback.push(option.feedback);
      if (picked && !option.correct && option.misconception) misconceptions.push(option.misconception);
      if (option.correct && !picked) missed += 1;
      if (picked !== option.correct) allRight = false;
    });
    if (missed) feedback.push(inlineMarkup("You left out " + missed + " correct option" + (missed > 1 ? "s" : "") + "."));
    return judged(allRight, feedback, misconceptions);
  }

  function checkNumeric(question, typed) {
    var text = typed === null || typed === undefined ? "" : String(typed);
    if (!text.trim()) return invalid("Type a number (in " + question.unit + "), then check your answer.");
    var read = readNumber(text, question.unit);
    if (read.error !== undefined) return invalid(read.error + ". Type digits only, in " + question.unit + ".");
    if (Math.abs(read.value - question.answer) <= question.tolerance) return judged(true, [question.feedback_correct], []);
    for (var i = 0; i < question.anticipated.length; i++) {
      var wrong = question.anticipated[i];
      if (Math.abs(read.value - wrong.value) <= question.tolerance) {
        return judged(false, [wrong.feedback], wrong.misconception ? [wrong.misconception] : []);
      }
    }
    return judged(false, [question.feedback_incorrect], []);
  }

  // models.quiz.check_answer: an option id (single), a list of ids (multiple) or the typed text (numeric).
  function judge(question, response) {
    if (question.type === "single") return checkSingle(question, response);
    if (question.type === "multiple") return checkMultiple(question, response || []);
    return checkNumeric(question, response);
  }

  // widgets.quiz.feedback_html
  function feedbackHtml(result) {
    if (!result.valid) {
      return '<div class="quiz-feedback quiz-invalid" role="status"><p>\u26a0 ' + inlineMarkup(result.message) + "</p></div>";
    }
    var verdict = result.correct ? "\u2714 Correct." : "\u2718 Not quite \u2014 read the feedback and try again.";
    var items = result.feedback.map(function (text) { return "<li>" + text + "</li>"; }).join("");
    var probes = result.misconceptions.map(function (text) {
      return "<li><em>The mistaken belief behind this answer:</em> " + text + "</li>";
    }).join("");
    return '<div class="quiz-feedback ' + (result.correct ? "quiz-correct" : "quiz-incorrect") + '" role="status"><p><strong>' +
      verdict + "</strong></p><ul>" + items + probes + "</ul></div>";
  }

  // models.quiz.QuizProgress.summary
  function summary(ids, attempts) {
    var total = ids.length, answered = 0, correct = 0, first = 0, tries = 0;
    ids.forEach(function (id) {
      var list = attempts[id] || [];
      if (list.length) { answered += 1; tries += list.length; }
      if (list.length && list[list.length - 1]) correct += 1;
      if (list.length && list[0]) first += 1;
    });
    return "Score: " + correct + " of " + total + " correct \u00b7 right first time: " + first +
      " \u00b7 answered: " + answered + " of " + total + " \u00b7 attempts: " + tries;
  }

  function setUpQuiz(section) {
    var data = JSON.parse(section.querySelector("script.quiz-data").textContent);
    var attempts = {};
    var score = section.querySelector(".quiz-score");
    section.querySelectorAll(".quiz-question").forEach(function (item) {
      var id = item.getAttribute("data-question");
      var question = data.questions[id];
      var area = item.querySelector(".quiz-feedback-area");
      var button = item.querySelector(".quiz-check");
      button.addEventListener("click", function () {
        var response;
        if (question.type === "numeric") {
          response = item.querySelector("input[type=text]").value;
        } else {
          var chosen = Array.prototype.map.call(item.querySelectorAll("input:checked"), function (box) { return box.value; });
          response = question.type === "single" ? (chosen[0] || null) : chosen;
        }
        var result = judge(question, response);
        area.innerHTML = feedbackHtml(result);
        if (result.valid) {
          (attempts[id] = attempts[id] || []).push(result.correct);
          score.textContent = summary(data.order, attempts);
        }
      });
      if (question.type === "numeric") {
        // Enter in the number box checks the answer, as a student expects of a form.
        item.querySelector("input[type=text]").addEventListener("keydown", function (event) {
          if (event.key === "Enter") { event.preventDefault(); button.click(); }
        });
      }
    });
    section.classList.add("quiz-ready");
  }

  window.CourseQuiz = { judge: judge, feedbackHtml: feedbackHtml, summary: summary, inlineMarkup: inlineMarkup };

  function start() {
    document.querySelectorAll("[data-quiz]").forEach(setUpQuiz);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
