// A form marked data-confirm="question", or its submit button so marked, asks before it is sent. This replaces
// inline onsubmit handlers, which the Content-Security-Policy refuses to run. Loaded by base.html (the site and
// the portal) and the desk's pages. A button marked data-confirm-report (the report form's 报送) asks with what
// will be sent: the title, the authors and the number of attachments as typed and chosen in the form; it first
// checks the 保密 declaration, if the form has one.
function reportQuestion(form, button) {
  const value = (name) => (form.elements[name] && form.elements[name].value.trim()) || "";
  const chosen = form.elements.attachments && form.elements.attachments.files ? form.elements.attachments.files.length : 0;
  const word = value("imported_docx") ? 1 : 0;
  const count = Number(button.dataset.attachments || 0) + chosen + word;
  return (
    "确定报送这篇信息吗？报送后，研究室处理前不能再修改。\n\n" +
    `标题：${value("title") || "（未填标题）"}\n作者：${value("authors") || "（未填作者）"}\n附件：${count} 个`
  );
}

// The 保密 declaration, where the form asks for it, is checked before the question: asked first, the clerk would
// confirm and then be refused by the server (which still checks it). The message is the server's, in its place.
const DECLARATION_MISSING = "报送研究室前请勾选保密声明。";

function declarationMissing(form) {
  const box = form.elements.secrecy_declared;
  if (!box || box.type !== "checkbox" || box.checked) return false;
  const field = box.closest(".field") || box.parentElement;
  if (!field.querySelector(".errors")) {
    const errors = document.createElement("div");
    errors.className = "errors";
    errors.id = "secrecy-declared-error";
    errors.setAttribute("role", "alert");
    const list = errors.appendChild(document.createElement("ul"));
    list.className = "errorlist";
    list.appendChild(document.createElement("li")).textContent = DECLARATION_MISSING;
    box.closest("label").after(errors);
    box.setAttribute("aria-describedby", errors.id);
  }
  field.classList.add("has-error");
  box.focus();
  return true;
}

document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.name !== "secrecy_declared" || !box.checked) return;
  const field = box.closest(".field") || box.parentElement;
  field.classList.remove("has-error");
  const errors = field.querySelector(".errors");
  if (errors) errors.remove();
  box.removeAttribute("aria-describedby");
});

document.addEventListener(
  "submit",
  (event) => {
    const form = event.target instanceof HTMLFormElement ? event.target : null;
    const button = event.submitter;
    let question = form ? form.dataset.confirm : undefined;
    if (button && button.dataset.confirm) question = button.dataset.confirm;
    if (form && button && "confirmReport" in button.dataset) {
      if (declarationMissing(form)) {
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
