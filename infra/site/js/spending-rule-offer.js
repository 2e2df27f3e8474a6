// "Always put LIDL in Groceries?": after a recategorisation the API may offer a payee rule
// (rule_suggestion {contains, category, id}); one click saves it (POST /api/rules, or PUT when a rule for
// those words exists with another category). Everything shown is text, never HTML.
import { busy, el } from "./dom.js";
import { call, categoryLabel, handledAccess } from "./spending-common.js";

/**
 * Show the offer right after `anchor` (replacing any earlier one). Once saved, when other expenses of
 * `month` would follow the rule (suggestion.others), offer to move them too; `onMoved` refreshes the page.
 */
export function offerRule(suggestion, anchor, { month = null, onMoved = () => {} } = {}) {
  document.getElementById("rule-offer")?.remove();
  if (!suggestion || !suggestion.contains) return;
  const category = categoryLabel(suggestion.category);
  const text = el("p", { class: "rule-offer-text", id: "rule-offer-text" },
    "Always put ", el("strong", { text: suggestion.contains }), ` in ${category}?`);
  const yes = el("button", { type: "button", class: "small", text: "Yes, always" });
  const no = el("button", { type: "button", class: "secondary small", text: "No, thanks" });
  const outcome = el("p", { class: "success", role: "status" });
  const box = el("div", { id: "rule-offer", class: "rule-offer", role: "group", "aria-labelledby": "rule-offer-text" },
    text, el("p", { class: "actions-row" }, yes, no), outcome);
  anchor.after(box);
  no.addEventListener("click", () => box.remove());
  yes.addEventListener("click", async () => {
    const restore = busy(yes, "Saving…");
    const body = { contains: suggestion.contains, category: suggestion.category };
    let rule;
    try {
      if (suggestion.id) rule = await call("PUT", `/rules/${encodeURIComponent(suggestion.id)}`, { body });
      else rule = await call("POST", "/rules", { body });
    } catch (error) {
      restore();
      if (handledAccess(error)) return;
      outcome.className = "error";
      outcome.textContent = error.message;
      return;
    }
    box.replaceChildren(el("p", { class: "success", role: "status", tabindex: "-1",
      text: `Done: payees containing “${suggestion.contains}” go to ${category} from now on. Change it in settings.` }));
    box.removeAttribute("aria-labelledby"); // its question is gone: the group is now about the saved rule
    box.setAttribute("aria-label", "Rule saved");
    if (suggestion.others > 0 && month) offerToMove(box, rule, suggestion, month, onMoved);
    box.firstChild.focus();
  });
}

function offerToMove(box, rule, suggestion, month, onMoved) {
  const count = suggestion.others;
  const move = el("button", { type: "button", class: "small",
    text: `Move ${count === 1 ? "it" : `all ${count}`}` });
  const keep = el("button", { type: "button", class: "secondary small", text: "Leave them" });
  const question = el("p", { id: "rule-offer-others",
    text: `${count === 1 ? "1 other expense" : `${count} other expenses`} this month from “${suggestion.contains}” `
      + `${count === 1 ? "is" : "are"} in another category. Move ${count === 1 ? "it" : "them"} to ${categoryLabel(rule.category)} too?` });
  const actions = el("p", { class: "actions-row" }, move, keep);
  box.append(question, actions);
  keep.addEventListener("click", () => { question.remove(); actions.remove(); });
  move.addEventListener("click", async () => {
    const restore = busy(move, "Moving…");
    let result;
    try {
      result = await call("POST", `/rules/${encodeURIComponent(rule.id)}/apply`, { body: { month } });
    } catch (error) {
      restore();
      if (handledAccess(error)) return;
      question.textContent = error.message;
      return;
    }
    actions.remove();
    question.textContent = `Moved ${result.moved} expense${result.moved === 1 ? "" : "s"} to ${categoryLabel(result.category)}.`;
    question.setAttribute("role", "status");
    onMoved();
  });
}

/**
 * Quick add: when a payee is typed and the category was not chosen by hand, ask the rules
 * (GET /api/rules/suggest) and pick the category they give, saying so beside the payee.
 */
export function suggestCategory(payeeInput, categorySelect) {
  let chosen = false;
  const note = el("p", { class: "hint", id: "add-payee-suggestion", role: "status" });
  payeeInput.after(note);
  categorySelect.addEventListener("change", () => { chosen = true; });
  payeeInput.form?.addEventListener("submit", () => { chosen = false; note.textContent = ""; }); // the next one starts afresh
  payeeInput.addEventListener("change", async () => {
    note.textContent = "";
    const payee = payeeInput.value.trim();
    if (!payee || chosen) return;
    let found;
    try {
      found = await call("GET", `/rules/suggest?payee=${encodeURIComponent(payee)}`);
    } catch {
      return; // a suggestion is a convenience: the form works without one
    }
    if (!found.category || chosen || payeeInput.value.trim() !== payee) return;
    if (![...categorySelect.options].some((o) => o.value === found.category)) return;
    categorySelect.value = found.category;
    note.textContent = `${categoryLabel(found.category)}, from your rule for this payee.`;
  });
}
