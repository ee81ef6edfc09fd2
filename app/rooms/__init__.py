"""Class mode: rooms where every student's run appears live on the teacher's projector."""
