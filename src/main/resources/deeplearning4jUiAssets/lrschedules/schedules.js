/*
 * The Schedules page of dl4j-lr-schedules: polls /schedules/data and draws every session with plain SVG.
 * No libraries and no requests beyond the UI server, so it works offline.
 */
(function () {
    'use strict';

    const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
        '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
    const REFRESH_MS = 3000;
    const SVG_NS = 'http://www.w3.org/2000/svg';
    const MARGIN = {left: 66, right: 18, top: 10, bottom: 38};
    const TEST_ACCURACY = 'testAccuracy';
    /** EpochMetricsReport.AVERAGED_TEST_ACCURACY: the accuracy at a weight average (EMA, SWA), drawn dashed. */
    const AVERAGED_TEST_ACCURACY = 'averagedTestAccuracy';

    const state = {
        param: null,       // parameter asked for; null: the server's default
        text: null,        // last response body, to redraw only on change
        data: null,
        hidden: new Set(), // labels of hidden sessions
        colours: new Map(),
        timer: null,
        inFlight: false,
        again: false
    };

    const $ = id => document.getElementById(id);

    function colourOf(label) {
        if (!state.colours.has(label)) {
            state.colours.set(label, PALETTE[state.colours.size % PALETTE.length]);
        }
        return state.colours.get(label);
    }

    function dataUrl() {
        return '/schedules/data' + (state.param ? '?param=' + encodeURIComponent(state.param) : '');
    }

    function requestRefresh(delay) {
        clearTimeout(state.timer);
        state.timer = setTimeout(refresh, delay);
    }

    async function refresh() {
        if (state.inFlight) {
            state.again = true;
            return;
        }
        state.inFlight = true;
        let delay = REFRESH_MS;
        try {
            const response = await fetch(dataUrl(), {cache: 'no-store'});
            const text = await response.text();
            if (response.status === 404 && state.param) {
                // The parameter is gone (storage detached): fall back to the default one.
                state.param = null;
                delay = 0;
            } else if (!response.ok) {
                throw new Error(errorOf(text) || 'HTTP ' + response.status);
            } else {
                if (text !== state.text) {
                    state.text = text;
                    state.data = JSON.parse(text);
                    render();
                }
                setStatus('Updated ' + new Date().toLocaleTimeString());
            }
        } catch (e) {
            setStatus('Cannot load ' + dataUrl() + ': ' + e.message);
            if (!state.data) {
                showMessage('Cannot load the data of this page (' + e.message + '). Is the UI server still running?', true);
                document.body.dataset.state = 'error';
            }
        } finally {
            state.inFlight = false;
            if (state.again) {
                state.again = false;
                delay = 0;
            }
            requestRefresh(delay);
        }
    }

    function errorOf(text) {
        try {
            return JSON.parse(text).error;
        } catch (e) {
            return null;
        }
    }

    function setStatus(text) {
        $('status').textContent = text;
    }

    function showMessage(text, isError) {
        const message = $('message');
        message.textContent = text;
        message.classList.toggle('error', !!isError);
        message.hidden = false;
    }

    function render() {
        const data = state.data;
        renderParameters(data);
        renderLegend(data);
        document.body.dataset.sessionCount = String(data.sessions.length);
        if (data.sessions.length === 0) {
            showMessage('No training sessions yet. Attach a StatsStorage that a StatsListener writes to, '
                + 'for example with SchedulesUi.start(port, storage); this page refreshes every few seconds.');
        } else {
            $('message').hidden = true;
        }
        drawCharts();
        document.body.dataset.state = 'ready';
    }

    function renderParameters(data) {
        const select = $('param-select');
        const wanted = data.parameters.length ? data.parameters : ['(none)'];
        const current = Array.from(select.options).map(o => o.value);
        if (current.join('\n') !== wanted.join('\n')) {
            select.textContent = '';
            for (const p of wanted) {
                const option = document.createElement('option');
                option.value = p;
                option.textContent = p;
                select.appendChild(option);
            }
        }
        select.disabled = data.parameters.length === 0;
        if (data.parameter) {
            select.value = data.parameter;
        }
        select.onchange = () => {
            state.param = select.value;
            $('data-link').href = dataUrl();
            requestRefresh(0);
        };
        $('data-link').href = dataUrl();
        $('lr-param').textContent = data.parameter ? 'of ' + data.parameter : '';
    }

    function renderLegend(data) {
        const legend = $('legend');
        legend.textContent = '';
        for (const s of data.sessions) {
            const entry = document.createElement('label');
            entry.className = 'legend-entry';
            entry.dataset.session = s.label;
            const hidden = state.hidden.has(s.label);
            entry.classList.toggle('hidden-series', hidden);

            const box = document.createElement('input');
            box.type = 'checkbox';
            box.checked = !hidden;
            box.addEventListener('change', () => {
                if (box.checked) {
                    state.hidden.delete(s.label);
                } else {
                    state.hidden.add(s.label);
                }
                entry.classList.toggle('hidden-series', !box.checked);
                drawCharts();
            });
            const swatch = document.createElement('span');
            swatch.className = 'swatch';
            swatch.style.background = colourOf(s.label);
            const name = document.createElement('span');
            name.className = 'name';
            name.textContent = s.label;
            const note = document.createElement('span');
            note.className = 'note';
            note.textContent = notesOf(s, data.parameter).join('; ');

            entry.append(box, swatch, name, note);
            entry.title = s.downsampled
                ? s.iterations.length + ' of ' + s.reportedIterations + ' iterations shown'
                : s.reportedIterations + ' iterations';
            legend.appendChild(entry);
        }
    }

    function notesOf(s, parameter) {
        const notes = [];
        if (s.reportedIterations === 0) {
            notes.push('no iterations yet');
        } else if (!s.hasLearningRate) {
            notes.push('no learning rate recorded (e.g. AdaDelta)');
        } else if (parameter && !s.lr[parameter]) {
            notes.push('no learning rate for ' + parameter);
        }
        if (!s.epochMetrics[TEST_ACCURACY]) {
            notes.push('no test accuracy');
        }
        // hyperparameters recorded beside the rate that keep one value: shown once, as text
        for (const [name, value] of Object.entries(s.constantHyperparameters || {})) {
            notes.push(name + ' ' + formatValue(value));
        }
        return notes;
    }

    function drawCharts() {
        const data = state.data;
        if (!data) {
            return;
        }
        const visible = data.sessions.filter(s => !state.hidden.has(s.label));
        const none = data.sessions.length === 0 ? 'No sessions'
            : visible.length === 0 ? 'All sessions hidden' : null;
        const parameter = data.parameter;

        drawChart($('lr-chart'), $('lr-readout'),
            visible.filter(s => parameter && s.lr[parameter]).map(s => series(s, s.iterations, s.lr[parameter])),
            {log: true, step: true, xLabel: 'iteration', yLabel: 'learning rate',
                empty: none || (parameter ? 'No learning rate for ' + parameter
                    : 'No learning rate recorded (updaters without one, e.g. AdaDelta)')});
        drawHyperparameters(visible, none, parameter);
        drawChart($('score-chart'), $('score-readout'),
            visible.filter(s => s.iterations.length > 0).map(s => series(s, s.iterations, s.score)),
            {xLabel: 'iteration', yLabel: 'score', empty: none || 'No iterations recorded yet'});
        const accuracy = [];
        for (const s of visible) {
            // The data counts epochs from 0 (EpochMetricsReport); people, and the run reports, from 1.
            const epochs = s.epochs.map(e => e + 1);
            if (s.epochMetrics[TEST_ACCURACY]) {
                accuracy.push(series(s, epochs, s.epochMetrics[TEST_ACCURACY]));
            }
            if (s.epochMetrics[AVERAGED_TEST_ACCURACY]) {
                const averaged = series(s, epochs, s.epochMetrics[AVERAGED_TEST_ACCURACY]);
                averaged.label = s.label + ' (averaged weights)';
                averaged.dashed = true;
                accuracy.push(averaged);
            }
        }
        drawChart($('accuracy-chart'), $('accuracy-readout'), accuracy,
            {markers: true, xLabel: 'epoch', yLabel: 'test accuracy',
                empty: none || 'No test accuracy recorded (TestAccuracyListener or EpochMetricsRecorder)'});
    }

    /**
     * Momentum (or beta1) and weight decay where a session recorded them changing (LearningRateRecorder's momentum /
     * weightDecay options): one chart each, shown only when some session has such a series.
     */
    function drawHyperparameters(visible, none, parameter) {
        const hyper = s => s.hyperparameters || {};
        const momentum = visible.filter(s => hyper(s).momentum).map(s => series(s, s.iterations, hyper(s).momentum));
        const decay = [];
        for (const s of visible) {
            for (const [name, values] of Object.entries(hyper(s))) {
                if (name !== 'momentum') {
                    const one = series(s, s.iterations, values);
                    one.label = s.label + ' ' + name;
                    decay.push(one);
                }
            }
        }
        const anywhere = state.data.sessions.some(s => Object.keys(hyper(s)).length > 0);
        $('hyper-row').hidden = !anywhere;
        $('momentum-box').hidden = !state.data.sessions.some(s => hyper(s).momentum);
        $('decay-box').hidden = !state.data.sessions.some(s => Object.keys(hyper(s)).some(n => n !== 'momentum'));
        $('momentum-param').textContent = parameter ? 'of ' + parameter : '';
        $('decay-param').textContent = parameter ? 'of ' + parameter : '';
        drawChart($('momentum-chart'), $('momentum-readout'), momentum,
            {step: true, xLabel: 'iteration', yLabel: 'momentum', empty: none || 'No changing momentum recorded'});
        drawChart($('decay-chart'), $('decay-readout'), decay,
            {step: true, xLabel: 'iteration', yLabel: 'weight decay', empty: none || 'No changing weight decay recorded'});
    }

    function series(session, xs, ys) {
        // Every iteration present: draw the learning rate as the steps it is. Downsampled: the server kept both
        // sides of every step, so straight lines between the points are exact.
        return {label: session.label, colour: colourOf(session.label), xs: xs, ys: ys, step: !session.downsampled};
    }

    function el(name, attributes, parent) {
        const node = document.createElementNS(SVG_NS, name);
        for (const [key, value] of Object.entries(attributes)) {
            node.setAttribute(key, value);
        }
        if (parent) {
            parent.appendChild(node);
        }
        return node;
    }

    function text(parent, x, y, content, attributes) {
        const node = el('text', Object.assign({x: x, y: y}, attributes || {}), parent);
        node.textContent = content;
        return node;
    }

    function drawChart(svg, readout, all, opts) {
        svg.textContent = '';
        readout.innerHTML = '&nbsp;';
        const width = svg.clientWidth || 600;
        const height = svg.clientHeight || 250;
        svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);

        const usable = [];
        let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
        for (const s of all) {
            let any = false;
            for (let i = 0; i < s.xs.length; i++) {
                const y = s.ys[i];
                if (y === null || !isFinite(y) || (opts.log && y <= 0)) {
                    continue;
                }
                any = true;
                xMin = Math.min(xMin, s.xs[i]);
                xMax = Math.max(xMax, s.xs[i]);
                yMin = Math.min(yMin, y);
                yMax = Math.max(yMax, y);
            }
            if (any) {
                usable.push(s);
            }
        }
        svg.dataset.seriesCount = String(usable.length);
        svg.dataset.xFirst = usable.length ? String(xMin) : '';
        svg.dataset.xLast = usable.length ? String(xMax) : '';
        svg.chart = null;
        if (usable.length === 0) {
            text(svg, width / 2, height / 2, opts.empty, {'class': 'empty', 'text-anchor': 'middle'});
            return;
        }
        if (xMin === xMax) {
            xMin -= 1;
            xMax += 1;
        }
        const plotW = width - MARGIN.left - MARGIN.right;
        const plotH = height - MARGIN.top - MARGIN.bottom;
        const yAxis = opts.log ? logAxis(yMin, yMax) : linearAxis(yMin, yMax);
        const sx = x => MARGIN.left + (x - xMin) / (xMax - xMin) * plotW;
        const sy = y => MARGIN.top + (1 - (yAxis.f(y) - yAxis.lo) / (yAxis.hi - yAxis.lo)) * plotH;

        const grid = el('g', {'class': 'grid'}, svg);
        const axis = el('g', {'class': 'axis'}, svg);
        for (const t of yAxis.ticks) {
            const y = sy(t).toFixed(1);
            el('line', {x1: MARGIN.left, x2: MARGIN.left + plotW, y1: y, y2: y}, grid);
            text(axis, MARGIN.left - 6, +y + 4, formatTick(t), {'text-anchor': 'end'});
        }
        for (const t of linearTicks(xMin, xMax, Math.max(2, Math.floor(plotW / 90)), true)) {
            const x = sx(t).toFixed(1);
            el('line', {x1: x, x2: x, y1: MARGIN.top, y2: MARGIN.top + plotH}, grid);
            text(axis, x, MARGIN.top + plotH + 15, formatTick(t), {'text-anchor': 'middle'});
        }
        el('path', {d: 'M' + MARGIN.left + ',' + MARGIN.top + 'V' + (MARGIN.top + plotH) + 'H' + (MARGIN.left + plotW),
            fill: 'none'}, axis);
        text(svg, MARGIN.left + plotW / 2, height - 4, opts.xLabel, {'class': 'axis-label', 'text-anchor': 'middle'});
        text(svg, 14, MARGIN.top + plotH / 2, opts.yLabel, {'class': 'axis-label', 'text-anchor': 'middle',
            transform: 'rotate(-90 14 ' + (MARGIN.top + plotH / 2) + ')'});

        const lines = el('g', {'class': 'series'}, svg);
        for (const s of usable) {
            let d = '';
            let pen = false;
            let count = 0;
            for (let i = 0; i < s.xs.length; i++) {
                const y = s.ys[i];
                if (y === null || !isFinite(y) || (opts.log && y <= 0)) {
                    pen = false;
                    continue;
                }
                const X = sx(s.xs[i]).toFixed(1);
                const Y = sy(y).toFixed(1);
                if (!pen) {
                    d += 'M' + X + ',' + Y;
                    pen = true;
                } else if (opts.step && s.step) {
                    d += 'H' + X + 'V' + Y;
                } else {
                    d += 'L' + X + ',' + Y;
                }
                count++;
                if (opts.markers) {
                    el('circle', {cx: X, cy: Y, r: 3, fill: s.colour, 'data-session': s.label}, lines);
                }
            }
            const attributes = {d: d, 'class': 'series-line', stroke: s.colour, 'data-session': s.label,
                'data-points': String(count)};
            if (s.dashed) {
                attributes['stroke-dasharray'] = '6 4';
            }
            const path = el('path', attributes, lines);
            el('title', {}, path).textContent = s.label;
        }
        const cursor = el('line', {'class': 'cursor', y1: MARGIN.top, y2: MARGIN.top + plotH, visibility: 'hidden'}, svg);
        svg.chart = {usable: usable, xMin: xMin, xMax: xMax, plotW: plotW, width: width, cursor: cursor,
            readout: readout, xLabel: opts.xLabel, log: !!opts.log};
    }

    function onMove(event) {
        const svg = event.currentTarget;
        const chart = svg.chart;
        if (!chart) {
            return;
        }
        const box = svg.getBoundingClientRect();
        const px = (event.clientX - box.left) * chart.width / box.width;
        const x = chart.xMin + (px - MARGIN.left) / chart.plotW * (chart.xMax - chart.xMin);
        const parts = [];
        for (const s of chart.usable) {
            const i = nearestAtOrBefore(s.xs, x);
            if (i < 0 || s.ys[i] === null) {
                continue;
            }
            parts.push('<b style="color:' + s.colour + '">' + escapeHtml(s.label) + '</b> ' + formatValue(s.ys[i]));
        }
        const shown = Math.round(Math.min(Math.max(x, chart.xMin), chart.xMax));
        chart.readout.innerHTML = chart.xLabel + ' ' + shown + ': ' + parts.join(' &middot; ');
        const cx = Math.min(Math.max(px, MARGIN.left), MARGIN.left + chart.plotW).toFixed(1);
        chart.cursor.setAttribute('x1', cx);
        chart.cursor.setAttribute('x2', cx);
        chart.cursor.setAttribute('visibility', 'visible');
    }

    function onLeave(event) {
        const chart = event.currentTarget.chart;
        if (chart) {
            chart.cursor.setAttribute('visibility', 'hidden');
        }
    }

    /** Index of the last x <= value (the step that holds there), or the first index. */
    function nearestAtOrBefore(xs, value) {
        if (xs.length === 0) {
            return -1;
        }
        let lo = 0, hi = xs.length - 1;
        if (value <= xs[0]) {
            return 0;
        }
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (xs[mid] <= value) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    function escapeHtml(s) {
        return s.replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
    }

    function logAxis(min, max) {
        let lo = Math.log10(min);
        let hi = Math.log10(max);
        const pad = Math.max(0.05 * (hi - lo), 0.1);
        lo -= pad;
        hi += pad;
        const ticks = [];
        const decades = hi - lo;
        const multiples = decades <= 1.5 ? [1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9] : decades <= 3.5 ? [1, 2, 5] : [1];
        const step = decades > 8 ? Math.ceil(decades / 8) : 1;
        for (let k = Math.floor(lo); k <= Math.ceil(hi); k += 1) {
            if (((k % step) + step) % step !== 0) {
                continue;
            }
            for (const m of multiples) {
                const v = m * Math.pow(10, k);
                const lv = Math.log10(v);
                if (lv >= lo && lv <= hi) {
                    ticks.push(+v.toPrecision(6));
                }
            }
        }
        return {f: Math.log10, lo: lo, hi: hi, ticks: ticks};
    }

    function linearAxis(min, max) {
        if (min === max) {
            const d = Math.abs(min) * 0.1 || 1;
            min -= d;
            max += d;
        }
        const pad = 0.05 * (max - min);
        const lo = min - pad;
        const hi = max + pad;
        return {f: v => v, lo: lo, hi: hi, ticks: linearTicks(lo, hi, 5, false)};
    }

    function linearTicks(lo, hi, count, integer) {
        const raw = (hi - lo) / count;
        const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        const r = raw / magnitude;
        let step = (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * magnitude;
        if (integer && step < 1) {
            step = 1;
        }
        const ticks = [];
        for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
            ticks.push(+v.toPrecision(10));
        }
        return ticks;
    }

    function formatTick(v) {
        if (v === 0) {
            return '0';
        }
        const a = Math.abs(v);
        if (a < 1e-3 || a >= 1e6) {
            return v.toExponential(Number.isInteger(+(v / Math.pow(10, Math.floor(Math.log10(a)))).toPrecision(6)) ? 0 : 1)
                .replace('e+', 'e');
        }
        return String(+v.toPrecision(6));
    }

    function formatValue(v) {
        if (v === null) {
            return '-';
        }
        const a = Math.abs(v);
        if (a !== 0 && (a < 1e-3 || a >= 1e6)) {
            return v.toExponential(3).replace('e+', 'e');
        }
        return String(+v.toPrecision(4));
    }

    function init() {
        for (const id of ['lr-chart', 'momentum-chart', 'decay-chart', 'score-chart', 'accuracy-chart']) {
            $(id).addEventListener('mousemove', onMove);
            $(id).addEventListener('mouseleave', onLeave);
        }
        let resizeTimer = null;
        window.addEventListener('resize', () => {
            clearTimeout(resizeTimer);
            resizeTimer = setTimeout(drawCharts, 150);
        });
        refresh();
    }

    init();
}());
