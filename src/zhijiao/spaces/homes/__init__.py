"""网络学习空间 homes: a person's space (teacher, pupil, guardian), a class's, a school's public face, the region's."""
