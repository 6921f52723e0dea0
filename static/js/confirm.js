// A form marked data-confirm="question", or its submit button so marked, asks before it is sent. This replaces
// inline onsubmit handlers, which the Content-Security-Policy refuses to run. Loaded by base.html (the site and
// the portal) and the desk's pages. A button marked data-confirm-report (the report form's 报送) asks with what
// will be sent: the title, the authors and the number of attachments as typed and chosen in the form; it first
// checks the 保密 declaration, if the form has one, and that the body is not empty.
function reportQuestion(form, button) {
  const value = (name) => (form.elements[name] && form.elements[name].value.trim()) || "";
  const chosen = form.elements.attachments && form.elements.attachments.files ? form.elements.attachments.files.length : 0;
  const word = value("imported_docx") ? 1 : 0;
  const count = Number(button.dataset.attachments || 0) + chosen + word;
  // 报送 / 重新报送 go to the 研究室; 送审核 and 送签发 to the unit's own reviewer and approver first.
  const verb = button.textContent.trim() || "报送";
  const next = { 送审核: "审核人", 送签发: "签发人" }[verb] || "研究室";
  return (
    `确定${verb}这篇信息吗？${verb}后，${next}处理前不能再修改。\n\n` +
    `标题：${value("title") || "（未填标题）"}\n作者：${value("authors") || "（未填作者）"}\n附件：${count} 个`
  );
}

// What the server would refuse is checked before the question: asked first, the clerk would confirm and then be
// refused (the server still checks). Each message is the server's, shown where the server shows it.
const DECLARATION_MISSING = "报送研究室前请勾选保密声明。";

function showError(field, anchor, message, focus) {
  if (!field.querySelector(".errors")) {
    const errors = document.createElement("div");
    errors.className = "errors";
    errors.id = `${field.dataset.errorId || "field"}-error`;
    errors.setAttribute("role", "alert");
    const list = errors.appendChild(document.createElement("ul"));
    list.className = "errorlist";
    list.appendChild(document.createElement("li")).textContent = message;
    anchor.after(errors);
    focus.setAttribute("aria-describedby", errors.id);
  }
  field.classList.add("has-error");
  focus.focus();
}

function clearError(field, focus) {
  field.classList.remove("has-error");
  const errors = field.querySelector(".errors");
  if (errors) errors.remove();
  focus.removeAttribute("aria-describedby");
}

function declarationMissing(form) {
  const box = form.elements.secrecy_declared;
  if (!box || box.type !== "checkbox" || box.checked) return false;
  const field = box.closest(".field") || box.parentElement;
  field.dataset.errorId = "secrecy-declared";
  showError(field, box.closest("label"), DECLARATION_MISSING, box);
  return true;
}

// The body is empty when the editor holds no text and no picture (the server's rule). CKEditor copies its text
// into the form's field only as the form is sent, after this check: the editor's own page is read instead.
function bodyMissing(form, button) {
  const source = form.elements.body;
  if (!source) return false;
  const field = source.closest(".field") || source.parentElement;
  const editable = field.querySelector(".ck-editor__editable");
  const empty = editable
    ? !editable.textContent.trim() && !editable.querySelector("img")
    : !source.value.replace(/<[^>]*>|&nbsp;/g, "").trim() && !/<img/i.test(source.value);
  if (!empty) {
    clearError(field, editable || source);
    return false;
  }
  field.dataset.errorId = "body";
  const verb = button.textContent.trim().replace(/^重新/, "") || "报送";
  showError(field, field.querySelector(".ck-editor") || source, `${verb}前请填写正文。`, editable || source);
  return true;
}

document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.name !== "secrecy_declared" || !box.checked) return;
  clearError(box.closest(".field") || box.parentElement, box);
});

document.addEventListener(
  "submit",
  (event) => {
    const form = event.target instanceof HTMLFormElement ? event.target : null;
    const button = event.submitter;
    let question = form ? form.dataset.confirm : undefined;
    if (button && button.dataset.confirm) question = button.dataset.confirm;
    if (form && button && "confirmReport" in button.dataset) {
      if (declarationMissing(form) || bodyMissing(form, button)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      question = reportQuestion(form, button);
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);
