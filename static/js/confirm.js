// A form marked data-confirm="question", or its submit button so marked, asks before it is sent. This replaces
// inline onsubmit handlers, which the Content-Security-Policy refuses to run. Loaded by base.html (the site and
// the portal) and the desk's pages. A button marked data-confirm-report (the report form's 报送) asks with what
// will be sent: the title, the authors and the number of attachments as typed and chosen in the form.
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

document.addEventListener(
  "submit",
  (event) => {
    const form = event.target instanceof HTMLFormElement ? event.target : null;
    const button = event.submitter;
    let question = form ? form.dataset.confirm : undefined;
    if (button && button.dataset.confirm) question = button.dataset.confirm;
    if (form && button && "confirmReport" in button.dataset) question = reportQuestion(form, button);
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);
