// The lesson gallery's presets (gallery.js shows them), kept as data in this one file.
// Each entry: id (the link's gallery=…), title, level, query (the page's URL state, as a
// link writes it), text (one paragraph), next (a "try next" prompt), and expect: the text's
// claim in a form tests/browser/test_gallery_page.py checks after opening the preset.
//   expect.statuses: each run's final status (max_steps | converged | diverged)
//   expect.near: [{run, point, tol}] the run's last point is within tol of point (each coordinate)
//   expect.lossAbove / lossBelow: [{run, value}] the run's final loss
//   expect.lower: [[a, b]] run a ends lower than run b
//   expect.basins: how many basins the basins overlay lists
//   expect.lrs: [{run, update, above?, below?}] the lr of update `update` (0-based) under the schedule
//   expect.network: a neural-network lesson (tab=network): its runs A, B (0, 1) all end
//     without error, and lossBelow / lossAbove / lower as above, on their final training loss
export const LEVELS = ["beginner", "intermediate", "advanced"];

export const LESSONS = [
  {
    id: "lr-too-small",
    title: "Learning rate too small",
    level: "beginner",
    query: "function=bowl&runs=sgd(lr=0.001)&start=-1.6,1.2&steps=500",
    text: "Gradient descent on a round bowl with a learning rate of 0.001. Each step moves the ball " +
      "by 0.001 times the slope, so it shrinks its distance to the bottom by only 0.2 % a step: " +
      "after all 500 steps it is still a third of the way up the side (loss above 0.1), and the " +
      "run stops because it ran out of steps, not because it arrived.",
    next: "Raise lr tenfold to 0.01, then to 0.1, and count the steps it needs.",
    expect: { statuses: ["max_steps"], lossAbove: [{ run: 0, value: 0.1 }] },
  },
  {
    id: "lr-just-right",
    title: "Learning rate just right",
    level: "beginner",
    query: "function=bowl&runs=sgd(lr=0.1)&start=-1.6,1.2&steps=500",
    text: "The same bowl with lr = 0.1: each step keeps 80 % of the distance to the bottom, so the " +
      "ball slides straight in and converges (the gradient falls below the tolerance) in under " +
      "a hundred steps, at the minimum (0, 0).",
    next: "Try lr = 0.5: on this bowl one step lands exactly on the bottom. Why 0.5?",
    expect: { statuses: ["converged"], near: [{ run: 0, point: [0, 0], tol: 1e-6 }] },
  },
  {
    id: "lr-too-large",
    title: "Learning rate too large",
    level: "beginner",
    query: "function=bowl&runs=sgd(lr=1.5)&start=-1.6,1.2&steps=1000",
    text: "With lr = 1.5 every step overshoots the bottom and lands twice as far away on the other " +
      "side, so the ball bounces outward, the loss grows without bound and the run diverges " +
      "(its numbers overflow) after about 500 of its 1000 steps.",
    next: "Find the largest learning rate that still converges on this bowl: try 0.9, 1.0 and 1.05.",
    expect: { statuses: ["diverged"] },
  },
  {
    id: "lr-schedule",
    title: "A schedule tames a large learning rate",
    level: "intermediate",
    query: "function=bowl&runs=sgd(lr=1.05)&start=-1.6,1.2&steps=500&schedule=ExponentialLR(gamma=0.97)",
    text: "On the bowl any learning rate above 1 makes each step overshoot further than the last. " +
      "This run starts at lr = 1.05, but a learning-rate schedule (torch's ExponentialLR, γ = 0.97) " +
      "multiplies the lr by 0.97 after every step: it is below 1 from the third step on, the " +
      "bounces across the bottom stop growing and then shrink fast as the lr nears 0.5, and the " +
      "run converges to (0, 0) in about 25 steps.",
    next: "Delete &schedule=… from the link and watch lr = 1.05 fly off; then try γ = 0.99 and 0.9.",
    expect: {
      statuses: ["converged"], near: [{ run: 0, point: [0, 0], tol: 1e-6 }],
      lrs: [{ run: 0, update: 0, above: 1 }, { run: 0, update: 2, below: 1 }],
    },
  },
  {
    id: "momentum-ravine",
    title: "Momentum through a ravine",
    level: "intermediate",
    query: "function=elongated-bowl&runs=sgd(lr=0.01)|sgd(lr=0.01,momentum=0.9)&start=-1.8,1&steps=500",
    text: "The elongated bowl is ten times steeper across than along its floor. Plain gradient " +
      "descent with lr = 0.01 drops quickly into the ravine and then crawls along it, still short " +
      "of the tolerance after 500 steps; the same learning rate with momentum 0.9 builds up speed " +
      "along the floor and converges first.",
    next: "Raise the plain run's lr until it zig-zags across the ravine: where does it start to diverge?",
    expect: { statuses: ["max_steps", "converged"], lower: [[1, 0]] },
  },
  {
    id: "adam-vs-sgd-rosenbrock",
    title: "Adam vs SGD in Rosenbrock's valley",
    level: "intermediate",
    query: "function=rosenbrock&runs=sgd(lr=0.001)|adam(lr=0.05)&start=-1.5,2&steps=500",
    text: "Rosenbrock's curved, flat-bottomed valley leads to the minimum at (1, 1). SGD's steps " +
      "scale with the gradient, which is tiny on the valley floor, so after 500 steps it has barely " +
      "left the left-hand side; Adam rescales each coordinate's step and travels much further " +
      "along the valley, ending with a far lower loss.",
    next: "Give SGD momentum 0.9 and compare again; then run both for 5000 steps.",
    expect: { statuses: ["max_steps", "max_steps"], lower: [[1, 0]], lossBelow: [{ run: 1, value: 1 }] },
  },
  {
    id: "rastrigin-trapped",
    title: "Trapped in Rastrigin's ripples",
    level: "intermediate",
    query: "function=rastrigin&runs=sgd(lr=0.001)|adam(lr=0.05)&start=3.2,2.1&steps=500",
    text: "Rastrigin's function is a bowl covered in ripples, each a local minimum. Started at " +
      "(3.2, 2.1), both SGD and Adam converge into the nearest dip, near (3, 2), with a loss " +
      "around 13, while the global minimum at the origin has loss 0: gradient descent only " +
      "knows the slope under its feet.",
    next: "Turn on gradient noise (σ = 5) and see whether the runs hop to a lower ripple.",
    expect: {
      statuses: ["converged", "converged"],
      near: [{ run: 0, point: [2.98, 1.99], tol: 0.05 }, { run: 1, point: [2.98, 1.99], tol: 0.05 }],
      lossAbove: [{ run: 0, value: 10 }, { run: 1, value: 10 }],
    },
  },
  {
    id: "himmelblau-basins",
    title: "Himmelblau's four basins",
    level: "intermediate",
    query: "function=himmelblau&runs=sgd(lr=0.01)&start=-0.3,-0.9&steps=500&basins=true",
    text: "Himmelblau's function has four minima, all with loss 0. The basins overlay colours " +
      "every start by the minimum plain gradient descent reaches from it: four basins, with " +
      "curved borders. From (−0.3, −0.9) the run converges to the minimum near (−3.78, −3.28).",
    next: "Click just across a basin's border and watch the ball roll to a different minimum.",
    expect: { statuses: ["converged"], near: [{ run: 0, point: [-3.7793, -3.2832], tol: 1e-3 }], basins: 4 },
  },
  {
    id: "saddle-noise",
    title: "Noise escapes the saddle",
    level: "advanced",
    query: "function=saddle&runs=sgd(lr=0.05)&start=1.5,0&steps=500&noise=0.1",
    text: "On x² − y², a start exactly on the ridge (y = 0) has no slope along y, so noise-free " +
      "gradient descent rolls straight into the saddle point at the origin and stops there, " +
      "fooled by a zero gradient. With gradient noise σ = 0.1 the ball is nudged off the ridge " +
      "and escapes along y: its loss falls far below zero instead of converging.",
    next: "Set the noise to 0 and watch the run converge to the saddle; then try σ = 0.001.",
    expect: { statuses: ["max_steps"], lossBelow: [{ run: 0, value: -1 }] },
  },
  {
    id: "per-sample-sgd",
    title: "Per-sample SGD on ŷ = w·x",
    level: "beginner",
    query: "function=hours-points&runs=sgd(lr=0.05)&start=0&batch=1&steps=500",
    text: "Predict points from hours studied with ŷ = w·x on (1, 2), (2, 4), (3, 6). With a batch " +
      "size of 1 each step uses one student's error alone, so the steps differ in size, but every " +
      "point agrees that w = 2 is perfect: the run converges to w = 2 within a few dozen steps.",
    next: "Set lr to 0.5: one sample's step now overshoots. Does the run still settle?",
    expect: { statuses: ["converged"], near: [{ run: 0, point: [2], tol: 1e-3 }] },
  },
  {
    id: "dosage-fit",
    title: "Fitting the dosage line",
    level: "intermediate",
    query: "function=linreg-dosage&runs=adam(lr=0.05)&start=0,0&steps=3000&speed=8",
    text: "A line ŷ = m·x + b fitted to eight measurements that fall with the dosage. The slope m " +
      "and the intercept b trade off along a narrow diagonal valley; Adam follows it to the " +
      "least-squares line, ŷ = −0.469·x + 1.76, shown over the data as it goes.",
    next: "Drag a data point and race again: how far does one outlier move the line?",
    expect: { statuses: ["converged"], near: [{ run: 0, point: [-0.4693, 1.76], tol: 2e-3 }] },
  },
  {
    id: "berries-separator",
    title: "The berries separator",
    level: "advanced",
    query: "function=logistic-berries&runs=adam(lr=0.1)&start=0,0&steps=2000&speed=8",
    text: "A logistic curve p = σ(w·x + b) from a berry's colour to the chance it is poisonous, " +
      "fitted by cross-entropy. The loss is convex, so Adam converges to the one best fit, near " +
      "w = 10.7, b = −5.7: the curve crosses p = ½ at colour −b/w ≈ 0.53, between the safe and " +
      "the poisonous berries.",
    next: "Switch to the squared-error version of this lesson and look for its flat plateaus.",
    expect: { statuses: ["converged"], near: [{ run: 0, point: [10.67, -5.70], tol: 0.1 }] },
  },
  {
    id: "network-spiral",
    title: "A network learns the spiral",
    level: "advanced",
    query: "tab=network&net=spiral&netruns=adam(lr=0.02)|sgd(lr=0.5)",
    text: "A 2-16-16-1 tanh network classifies two interleaved spirals: its loss is a surface over " +
      "337 weights, drawn as one plane through the weights run A found. From the same start " +
      "(torch's initialisation), Adam at lr = 0.02 brings the training loss from 0.72 to below " +
      "0.05 in 300 full-batch steps and its decision boundary winds with the spirals, while plain " +
      "SGD at lr = 0.5 ends above 0.6, hardly better than ln 2 ≈ 0.69, the loss of guessing.",
    next: "Switch run B to rmsprop at lr = 0.01 and race again; then change the activation to relu.",
    expect: { network: { lossBelow: [{ run: 0, value: 0.05 }], lossAbove: [{ run: 1, value: 0.6 }], lower: [[0, 1]] } },
  },
];

/** The shareable link of a lesson (relative to the page). */
export function lessonHref(lesson) {
  return `?${lesson.query}&gallery=${encodeURIComponent(lesson.id)}`;
}
