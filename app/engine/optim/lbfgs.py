"""``torch.optim.LBFGS`` (torch 2.13): one ``step(closure)``, its ``_strong_wolfe`` and
``_cubic_interpolate``, in float64 as torch rounds them.

L-BFGS is not a per-coordinate rule: a step evaluates the function several times (the
closure), so it has its own driver (``run/lbfgs_driver.py``). The functions here are written
once and run two ways: as Python (the array driver; ``evaluate(code, x)`` calls ``code``, a
Python callable) and compiled by numba in a generated module whose ``evaluate`` is the
catalog's compiled function (``run/codegen.py``: ``lbfgs_source``). Rounding, measured on
torch 2.13's CPU kernels: ``a.dot(b)`` of two elements is ``a0·b0 + a1·b1`` (unfused; longer
vectors are summed left to right here, which torch may not do), ``p.add_(d, alpha=t)`` is
``fma(t, d, p)``, Python's ``min``/``max`` keep the first argument unless the second is
strictly smaller/larger (``ops.py_min``/``py_max``).

State per run: ``d``, ``prev_flat_grad`` (n,), ``old_dirs``, ``old_stps`` (history, n),
``ro``, ``al`` (history,) and ``sc`` = [t, H_diag, prev_loss, n_iter, num_old].
"""

from __future__ import annotations

import math

import numpy as np

from app.engine.optim.ops import fma, maximum, py_max, py_min

T, H_DIAG, PREV_LOSS, N_ITER, NUM_OLD = range(5)
STATE = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss")
EQUATIONS = (
    r"s_i = \theta_{i+1} - \theta_i, \quad y_i = g_{i+1} - g_i"
    r" \quad (\text{kept if } y_i^\top s_i > 10^{-10})",
    r"d = -H g \ \text{(two-loop recursion over the last history\_size pairs, }"
    r" H_0 = \tfrac{y^\top s}{y^\top y})",
    r"\theta \leftarrow \theta + t\, d, \quad t = \text{lr} \ \text{(or strong Wolfe: }"
    r" f(\theta + t d) \le f + c_1 t\, g^\top d,\ |g_t^\top d| \le -c_2\, g^\top d)",
)
FUNCTIONS = ("dot", "absmax", "abssum", "axpy", "axpy_into", "record", "cubic_interpolate",
             "strong_wolfe", "lbfgs_step")  # fmt: skip


def evaluate(code, x):
    """The array driver's evaluation: ``code`` is a Python callable x -> (loss, grad)."""
    return code(x)


def dot(a, b):
    s = a[0] * b[0]
    for i in range(1, a.shape[0]):
        s = s + a[i] * b[i]
    return s


def absmax(a):
    m = abs(a[0])
    for i in range(1, a.shape[0]):
        m = maximum(m, abs(a[i]))  # torch's max: NaN wins
    return m


def abssum(a):
    s = abs(a[0])
    for i in range(1, a.shape[0]):
        s = s + abs(a[i])
    return s


def axpy(t, d, x):
    """``x.add_(d, alpha=t)`` as a new array."""
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = fma(t, d[i], x[i])
    return out


def axpy_into(t, d, x):
    """``x.add_(d, alpha=t)`` in place (the two-loop recursion: no array per history pair)."""
    for i in range(x.shape[0]):
        x[i] = fma(t, d[i], x[i])


def record(probes, nprobe, x, loss):
    if nprobe < probes.shape[0]:
        for i in range(x.shape[0]):
            probes[nprobe, i] = x[i]
        probes[nprobe, x.shape[0]] = loss
    return nprobe + 1


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounded, xmin_bound, xmax_bound, tensor1,
                      tensor2, tensor_min, tensor_max):  # fmt: skip
    """torch's ``_cubic_interpolate`` and whether its result is a tensor. A step length is a
    Python float or a 0-dim tensor in torch, and ``float / tensor`` rounds as
    ``float · (1 / tensor)``: the ``tensor*`` flags follow which."""
    if not bounded:
        if x1 <= x2:
            xmin_bound, xmax_bound, tensor_min, tensor_max = x1, x2, tensor1, tensor2
        else:
            xmin_bound, xmax_bound, tensor_min, tensor_max = x2, x1, tensor2, tensor1
    if tensor1 or tensor2:
        d1 = g1 + g2 - 3 * (f1 - f2) * (1.0 / (x1 - x2))
    else:
        d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2  # torch's pow(x, 2) is x·x
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        value, tensor = min_pos, True  # Python's max(a, b) is b only if b > a
        if xmin_bound > value:
            value, tensor = xmin_bound, tensor_min
        if xmax_bound < value:
            value, tensor = xmax_bound, tensor_max
        return value, tensor
    return (xmin_bound + xmax_bound) / 2.0, tensor_min or tensor_max


def strong_wolfe(code, x, t, t_tensor, d, f, g, gtd, tolerance_change, max_ls, probes, nprobe):
    c1, c2 = 1e-4, 0.9
    d_norm = absmax(d)
    g = g.copy()
    xt = axpy(t, d, x)
    f_new, g_new = evaluate(code, xt)
    nprobe = record(probes, nprobe, xt, f_new)
    ls_func_evals = 1
    gtd_new = dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    prev_tensor = False  # torch's t_prev starts as the int 0
    done = False
    ls_iter = 0
    b, bf, bgtd = np.zeros(2), np.zeros(2), np.zeros(2)
    bg = np.zeros((2, x.shape[0]))
    bt = np.zeros(2, dtype=np.bool_)  # which bracket ends are tensors
    while ls_iter < max_ls:
        armijo_fails = f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev)
        wolfe = not armijo_fails and abs(gtd_new) <= -c2 * gtd
        if wolfe:
            b[0], b[1], bf[0], bf[1] = t, t, f_new, f_new  # one point: both ends
            bt[0], bt[1] = t_tensor, t_tensor
            bg[0], bg[1] = g_new, g_new
            done = True
            break
        if armijo_fails or gtd_new >= 0:
            b[0], b[1], bf[0], bf[1] = t_prev, t, f_prev, f_new
            bt[0], bt[1] = prev_tensor, t_tensor
            bg[0], bg[1] = g_prev, g_new
            bgtd[0], bgtd[1] = gtd_prev, gtd_new
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp, tmp_tensor = t, t_tensor
        t, t_tensor = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, True,
                                        min_step, max_step, prev_tensor, t_tensor,
                                        t_tensor or prev_tensor, t_tensor)  # fmt: skip
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        prev_tensor = tmp_tensor
        xt = axpy(t, d, x)
        f_new, g_new = evaluate(code, xt)
        nprobe = record(probes, nprobe, xt, f_new)
        ls_func_evals += 1
        gtd_new = dot(g_new, d)
        ls_iter += 1
    if ls_iter == max_ls:
        b[0], b[1], bf[0], bf[1] = 0.0, t, f, f_new
        bt[0], bt[1] = False, t_tensor
        bg[0], bg[1] = g, g_new
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bf[0] <= bf[1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(b[1] - b[0]) * d_norm < tolerance_change:
            break
        t, t_tensor = cubic_interpolate(b[0], bf[0], bgtd[0], b[1], bf[1], bgtd[1], False, 0.0,
                                        0.0, bt[0], bt[1], False, False)  # fmt: skip
        bmax, bmin = py_max(b[0], b[1]), py_min(b[0], b[1])
        eps = 0.1 * (bmax - bmin)
        if py_min(bmax - t, t - bmin) < eps:
            if insuf_progress or t >= bmax or t <= bmin:
                t = bmax - eps if abs(t - bmax) < abs(t - bmin) else bmin + eps
                t_tensor = bt[0] or bt[1]
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        xt = axpy(t, d, x)
        f_new, g_new = evaluate(code, xt)
        nprobe = record(probes, nprobe, xt, f_new)
        ls_func_evals += 1
        gtd_new = dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bf[low_pos]:
            b[high_pos], bf[high_pos], bgtd[high_pos] = t, f_new, gtd_new
            bt[high_pos] = t_tensor
            bg[high_pos] = g_new
            low_pos, high_pos = (0, 1) if bf[0] <= bf[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (b[high_pos] - b[low_pos]) >= 0:
                b[high_pos], bf[high_pos], bgtd[high_pos] = b[low_pos], bf[low_pos], bgtd[low_pos]
                bt[high_pos] = bt[low_pos]
                bg[high_pos] = bg[low_pos]
            b[low_pos], bf[low_pos], bgtd[low_pos] = t, f_new, gtd_new
            bt[low_pos] = t_tensor
            bg[low_pos] = g_new
    return bf[low_pos], bg[low_pos].copy(), b[low_pos], ls_func_evals, nprobe


def lbfgs_step(code, x, loss, flat_grad, d, prev_flat_grad, old_dirs, old_stps, ro, al, sc,
               lr, max_iter, max_eval, tolerance_grad, tolerance_change, history_size,
               line_search, probes):  # fmt: skip
    """One ``optimizer.step(closure)`` from ``x`` (updated in place), given the closure's
    first value there (``loss``, ``flat_grad``). Returns (evaluations, probes recorded)."""
    current_evals = 1
    nprobe = 0
    if absmax(flat_grad) <= tolerance_grad:
        return current_evals, nprobe
    t, h_diag, prev_loss, num_old = sc[T], sc[H_DIAG], sc[PREV_LOSS], int(sc[NUM_OLD])
    opt_cond = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        sc[N_ITER] += 1
        if sc[N_ITER] == 1:
            d[:] = -flat_grad
            num_old = 0
            h_diag = 1.0
        else:
            y = flat_grad - prev_flat_grad
            s = d * t
            ys = dot(y, s)
            if ys > 1e-10:
                if num_old == history_size:
                    old_dirs[: num_old - 1] = old_dirs[1:num_old].copy()
                    old_stps[: num_old - 1] = old_stps[1:num_old].copy()
                    ro[: num_old - 1] = ro[1:num_old].copy()
                    num_old -= 1
                old_dirs[num_old], old_stps[num_old] = y, s
                ro[num_old] = 1.0 / ys
                num_old += 1
                h_diag = ys / dot(y, y)
            q = -flat_grad
            for i in range(num_old - 1, -1, -1):
                al[i] = dot(old_stps[i], q) * ro[i]
                axpy_into(-al[i], old_dirs[i], q)
            r = q * h_diag
            for i in range(num_old):
                be_i = dot(old_dirs[i], r) * ro[i]
                axpy_into(al[i] - be_i, old_stps[i], r)
            d[:] = r
        prev_flat_grad[:] = flat_grad
        prev_loss = loss
        t_tensor = False  # torch's min(1.0, 1.0 / g.abs().sum()) is a tensor when below 1
        if sc[N_ITER] == 1:
            scale = 1.0 / abssum(flat_grad)
            t_tensor = scale < 1.0
            t = py_min(1.0, scale) * lr
        else:
            t = lr
        gtd = dot(flat_grad, d)
        if gtd > -tolerance_change:
            break
        ls_func_evals = 0
        if line_search:
            loss, flat_grad, t, ls_func_evals, nprobe = strong_wolfe(
                code, x, t, t_tensor, d, loss, flat_grad, gtd, tolerance_change,
                max_eval - current_evals, probes, nprobe)  # fmt: skip
            x[:] = axpy(t, d, x)
            opt_cond = absmax(flat_grad) <= tolerance_grad
        else:
            x[:] = axpy(t, d, x)
            if n_iter != max_iter:
                loss, flat_grad = evaluate(code, x.copy())
                nprobe = record(probes, nprobe, x, loss)
                opt_cond = absmax(flat_grad) <= tolerance_grad
                ls_func_evals = 1
        current_evals += ls_func_evals
        if n_iter == max_iter or current_evals >= max_eval or opt_cond:
            break
        if absmax(d * t) <= tolerance_change:
            break
        if abs(loss - prev_loss) < tolerance_change:
            break
    sc[T], sc[H_DIAG], sc[PREV_LOSS], sc[NUM_OLD] = t, h_diag, prev_loss, num_old
    return current_evals, nprobe
