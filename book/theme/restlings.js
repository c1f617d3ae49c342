// restlings: what the book does beyond mdBook.
//
// - Quizzes ("Check your understanding"): a Check button on each question.
//   Works wherever the page is, since the questions are in the page.
// - Only when the page comes from `cargo run -- book` (it answers
//   /__restlings/progress): the learner's progress in the sidebar, the
//   Solution blocks kept shut until the exercise passes, the Try-it panels,
//   and a reload when the page's Markdown changes.
//
// With plain `mdbook serve`, or the HTML opened from disk, the progress
// request fails and the page stays as mdBook made it: no marks, no panels,
// the Solution blocks fold and unfold as usual.
(function () {
    'use strict';

    const rootPath = typeof path_to_root === 'string' ? path_to_root : '';
    const api = rootPath + '__restlings/';
    const defaultServer = 'http://127.0.0.1:3000';
    const marks = { done: '✓', current: '▶', pending: '○' };

    setUpQuizzes();

    if (location.protocol !== 'http:' && location.protocol !== 'https:') {
        return;
    }
    fetch(api + 'progress', { cache: 'no-store' })
        .then(response => response.ok ? response.json() : null)
        .then(progress => {
            if (!progress || !Array.isArray(progress.exercises)) {
                return;
            }
            document.documentElement.classList.add('restlings-served');
            showProgress(progress);
            gateSolutions(progress);
            setUpTryIt(progress);
            reloadOnChange();
            setInterval(() => {
                fetch(api + 'progress', { cache: 'no-store' })
                    .then(response => response.ok ? response.json() : null)
                    .then(next => {
                        if (next && Array.isArray(next.exercises)) {
                            showProgress(next);
                            gateSolutions(next);
                        }
                    })
                    .catch(() => {});
            }, 2000);
        })
        .catch(() => {});

    // The exercise whose chapter this page is, if any.
    function thisChapter(progress) {
        const page = location.pathname.split('/').pop();
        return progress.exercises.find(exercise => exercise.page === page);
    }

    // ---- progress in the sidebar -------------------------------------------

    function showProgress(progress) {
        const links = document.querySelectorAll('#mdbook-sidebar a[href]');
        for (const exercise of progress.exercises) {
            for (const link of links) {
                const href = link.getAttribute('href').split('#')[0];
                if (!href.endsWith('/' + exercise.page) && href !== exercise.page) {
                    continue;
                }
                let badge = link.querySelector('.restlings-status');
                if (exercise.status === 'unknown') {
                    if (badge) {
                        badge.remove();
                    }
                    link.removeAttribute('data-restlings-status');
                    continue;
                }
                if (!badge) {
                    badge = document.createElement('span');
                    link.appendChild(badge);
                }
                badge.className = 'restlings-status restlings-' + exercise.status;
                badge.textContent = marks[exercise.status] || '';
                badge.title = exercise.name + ': ' + exercise.status;
                link.setAttribute('data-restlings-status', exercise.status);
            }
        }
    }

    // ---- Solution blocks ----------------------------------------------------

    function gateSolutions(progress) {
        const exercise = thisChapter(progress);
        if (!exercise) {
            return;
        }
        const shown = sessionStorage.getItem('restlings-show-' + exercise.name) === 'yes';
        const open = exercise.status === 'done' || shown;
        for (const details of document.querySelectorAll('main details')) {
            const summary = details.querySelector('summary');
            if (!summary || summary.textContent.trim() !== 'Solution') {
                continue;
            }
            let note = details.previousElementSibling;
            if (!note || !note.classList.contains('restlings-locked')) {
                note = null;
            }
            if (open) {
                details.classList.remove('restlings-gated');
                details.removeAttribute('data-restlings-locked');
                if (note) {
                    note.remove();
                }
                continue;
            }
            details.open = false;
            details.classList.add('restlings-gated');
            details.setAttribute('data-restlings-locked', 'true');
            if (!details.dataset.restlingsWired) {
                details.dataset.restlingsWired = 'yes';
                summary.addEventListener('click', event => {
                    if (details.getAttribute('data-restlings-locked') === 'true') {
                        event.preventDefault();
                    }
                });
            }
            if (!note) {
                note = document.createElement('p');
                note.className = 'restlings-locked';
                const code = text => element('code', { text });
                if (exercise.status === 'unknown') {
                    note.appendChild(document.createTextNode('The book does not know yet whether '));
                    note.appendChild(code(exercise.name));
                    note.appendChild(document.createTextNode(' passes. '));
                } else {
                    note.appendChild(code(exercise.name));
                    note.appendChild(document.createTextNode(' does not pass yet. '));
                }
                note.appendChild(document.createTextNode(
                    'The solution opens by itself once it does ('));
                note.appendChild(code('cargo run -- verify ' + exercise.name));
                note.appendChild(document.createTextNode('). '));
                const button = document.createElement('button');
                button.type = 'button';
                button.className = 'restlings-show-anyway';
                button.textContent = 'Show the solution anyway';
                button.addEventListener('click', () => {
                    sessionStorage.setItem('restlings-show-' + exercise.name, 'yes');
                    details.removeAttribute('data-restlings-locked');
                    details.classList.remove('restlings-gated');
                    details.open = true;
                    note.remove();
                });
                note.appendChild(button);
                details.parentNode.insertBefore(note, details);
            }
        }
    }

    // ---- reload when the Markdown changes -----------------------------------

    function reloadOnChange() {
        let seen = null;
        const banner = document.createElement('div');
        banner.className = 'restlings-build-error';
        banner.hidden = true;
        document.body.appendChild(banner);
        setInterval(() => {
            fetch(api + 'version', { cache: 'no-store' })
                .then(response => response.ok ? response.json() : null)
                .then(version => {
                    if (!version) {
                        return;
                    }
                    if (seen === null) {
                        seen = version.version;
                    } else if (version.version !== seen && !version.error) {
                        location.reload();
                        return;
                    }
                    banner.hidden = !version.error;
                    banner.textContent = version.error
                        ? 'The book no longer builds, so this page is the last good one: ' +
                          version.error
                        : '';
                })
                .catch(() => {});
        }, 1000);
    }

    // ---- Try it -------------------------------------------------------------

    function setUpTryIt(progress) {
        const exercise = thisChapter(progress);
        for (const spot of document.querySelectorAll('.restlings-try')) {
            spot.appendChild(tryPanel(spot.dataset, exercise ? exercise.name : null));
        }
    }

    function element(tag, attributes, children) {
        const node = document.createElement(tag);
        for (const [name, value] of Object.entries(attributes || {})) {
            if (name === 'text') {
                node.textContent = value;
            } else {
                node.setAttribute(name, value);
            }
        }
        for (const child of children || []) {
            node.appendChild(child);
        }
        return node;
    }

    function field(label, input) {
        return element('label', { class: 'restlings-field' }, [
            element('span', { text: label }),
            input,
        ]);
    }

    function tryPanel(data, exercise) {
        const server = element('input', {
            class: 'restlings-try-server',
            value: localStorage.getItem('restlings-server') || defaultServer,
            'aria-label': 'Your server',
        });
        const method = element('select', { class: 'restlings-try-method' },
            ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
                .map(name => element('option', { value: name, text: name })));
        method.value = data.method || 'GET';
        const path = element('input', {
            class: 'restlings-try-path',
            value: data.path || '/',
        });
        const headers = element('textarea', { class: 'restlings-try-headers', rows: '2' });
        headers.value = (data.headers || '').split('|').join('\n');
        const body = element('textarea', { class: 'restlings-try-body', rows: '3' });
        body.value = data.body || '';
        const send = element('button', { type: 'button', class: 'restlings-try-send', text: 'Send' });
        const result = element('div', { class: 'restlings-try-result', 'aria-live': 'polite' });

        send.addEventListener('click', () => {
            localStorage.setItem('restlings-server', server.value.trim());
            result.textContent = 'Sending…';
            const request = {
                base: server.value.trim(),
                method: method.value,
                path: path.value.trim(),
                headers: headers.value.split('\n')
                    .map(line => line.trim())
                    .filter(line => line.length > 0)
                    .map(line => {
                        const colon = line.indexOf(':');
                        return colon < 0
                            ? [line, '']
                            : [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
                    }),
                body: body.value,
            };
            fetch(api + 'try', {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify(request),
            })
                .then(response => response.json().then(answer => ({ ok: response.ok, answer })))
                .then(({ ok, answer }) => showAnswer(result, ok, answer))
                .catch(error => showAnswer(result, false, { error: String(error) }));
        });

        return element('div', { class: 'restlings-try-panel' }, [
            element('p', { class: 'restlings-try-title', text: 'Try it on your server' }),
            element('p', { class: 'restlings-try-how' }, [
                document.createTextNode('Start it in a terminal with '),
                // A chapter that `serve` cannot run (its app needs a database)
                // names its own command in data-start.
                element('code', {
                    text: data.start || 'cargo run -- serve' + (exercise ? ' ' + exercise : ''),
                }),
                document.createTextNode(', then Send: the book passes the request on and shows ' +
                    'the answer, with the same request as a curl line.'),
            ]),
            field('Server', server),
            element('div', { class: 'restlings-try-line' }, [method, path]),
            field('Headers (one "Name: value" a line)', headers),
            field('Body', body),
            send,
            result,
        ]);
    }

    function showAnswer(result, ok, answer) {
        result.textContent = '';
        if (!ok) {
            result.appendChild(element('p', {
                class: 'restlings-try-error',
                text: answer.error || 'The proxy gave no answer.',
            }));
            return;
        }
        const head = ['HTTP/1.1 ' + answer.status + ' ' + answer.reason]
            .concat(answer.headers.map(([name, value]) => name + ': ' + value))
            .join('\n');
        result.appendChild(element('pre', { class: 'restlings-try-status', text: head }));
        result.appendChild(element('pre', {
            class: 'restlings-try-response-body',
            text: answer.body + (answer.truncated ? '\n… (cut: the body is longer)' : ''),
        }));
        result.appendChild(element('p', { text: 'The same request with curl:' }));
        result.appendChild(element('pre', { class: 'restlings-try-curl', text: answer.curl }));
    }

    // ---- quizzes ------------------------------------------------------------

    function setUpQuizzes() {
        for (const question of document.querySelectorAll('.restlings-quiz .quiz-question')) {
            const check = element('button', { type: 'button', class: 'quiz-check', text: 'Check' });
            const verdict = element('span', { class: 'quiz-verdict', 'aria-live': 'polite' });
            const answer = question.querySelector('.quiz-answer');
            check.addEventListener('click', () => {
                const inputs = Array.from(question.querySelectorAll('input'));
                if (!inputs.some(input => input.checked)) {
                    verdict.textContent = 'Choose an answer first.';
                    return;
                }
                const right = inputs.every(input =>
                    input.checked === (input.dataset.right === 'true'));
                question.classList.toggle('quiz-right', right);
                question.classList.toggle('quiz-wrong', !right);
                verdict.textContent = right ? 'Right.' : 'Not quite: read why below.';
                if (answer) {
                    answer.open = true;
                }
            });
            question.insertBefore(element('div', { class: 'quiz-actions' }, [check, verdict]),
                answer);
        }
    }
})();
