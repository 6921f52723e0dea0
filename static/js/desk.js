/* The assembly desk: enhances the plain forms of templates/admin/issues/issue/desk.html.
 * Drag and drop (SortableJS, served from static/vendor) saves the order as soon as a row is dropped; a refused
 * or failed save says so and puts the rows back where they were. Without JavaScript the ↑ ↓ buttons do the same.
 * Forms that ask before they are sent (发布, data-confirm) are static/js/confirm.js's, which the page loads too. */
(function () {
    'use strict';

    function ready(fn) {
        if (document.readyState !== 'loading') fn(); else document.addEventListener('DOMContentLoaded', fn);
    }

    function say(text, ok) {
        var status = document.getElementById('desk-status');
        if (!status) return;
        status.textContent = text;
        status.className = 'desk-status ' + (ok ? 'ok' : 'error');
    }

    function csrfToken() {
        var input = document.querySelector('input[name=csrfmiddlewaretoken]');
        return input ? input.value : '';
    }

    ready(function () {
        // Select every unplaced report at once.
        var all = document.getElementById('select-all');
        if (all) {
            all.addEventListener('change', function () {
                document.querySelectorAll('.report-check').forEach(function (box) { box.checked = all.checked; });
            });
        }

        var desk = document.querySelector('.desk[data-arrange-url]');
        var groups = document.getElementById('desk-groups');
        if (!desk || !groups || typeof window.Sortable === 'undefined') return;

        var snapshot = null;

        function takeSnapshot() {
            snapshot = {
                groups: Array.prototype.slice.call(groups.children),
                runs: Array.prototype.map.call(document.querySelectorAll('.desk-run'), function (run) {
                    return { run: run, rows: Array.prototype.slice.call(run.children) };
                }),
            };
        }

        function restore() {
            if (!snapshot) return;
            snapshot.groups.forEach(function (group) { groups.appendChild(group); });
            snapshot.runs.forEach(function (entry) {
                entry.rows.forEach(function (row) { entry.run.appendChild(row); });
            });
            showGroups();
        }

        function showGroups() {
            groups.querySelectorAll('.desk-group').forEach(function (group) {
                group.hidden = !group.querySelector('.desk-piece');
            });
        }

        function ids(run) {
            return Array.prototype.map.call(run.querySelectorAll('.desk-piece'), function (row) {
                return row.dataset.id;
            }).join(',');
        }

        function save(event) {
            if (event.from === event.to && event.oldIndex === event.newIndex) return;
            var data = new FormData();
            groups.querySelectorAll('.desk-run').forEach(function (run) {
                var list = ids(run);
                if (list) data.append('group', run.dataset.section + ':' + list);
            });
            var briefs = document.querySelector('.desk-brief-run');
            data.append('briefs', briefs ? ids(briefs) : '');
            say('正在保存顺序…', true);
            fetch(desk.dataset.arrangeUrl, {
                method: 'POST',
                body: data,
                headers: { 'X-CSRFToken': csrfToken(), 'X-Requested-With': 'fetch' },
                credentials: 'same-origin',
            }).then(function (response) {
                return response.json().catch(function () { return { ok: false, error: '未保存：服务器没有回应。' }; });
            }).then(function (answer) {
                if (!answer.ok) {
                    restore();
                    say(answer.error || '未保存，已恢复原来的顺序。', false);
                    return;
                }
                showGroups();
                if (answer.moved && answer.moved.length) {
                    event.item.classList.add('flash');
                    say('顺序已保存。' + answer.moved.join('；') + '（文章随所在栏目刊印）', true);
                } else {
                    say(answer.message || '顺序已保存。', true);
                }
            }).catch(function () {
                restore();
                say('未保存：网络错误，已恢复原来的顺序。', false);
            });
        }

        var options = { handle: '.drag-handle', animation: 120, onStart: takeSnapshot, onEnd: save };
        groups.querySelectorAll('.desk-run').forEach(function (run) {
            window.Sortable.create(run, Object.assign({ group: 'articles' }, options));
        });
        var briefRun = document.querySelector('.desk-brief-run');
        if (briefRun) window.Sortable.create(briefRun, Object.assign({ group: 'briefs' }, options));
        window.Sortable.create(groups, { handle: '.group-handle', animation: 120, onStart: takeSnapshot, onEnd: save });
    });
})();
