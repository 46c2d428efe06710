# Lesson 7 (multiple dimension input): a binary classifier of 8 features, Linear 8-6-4-1 with
# sigmoid activations, trained by BCELoss (mean) and SGD on the whole data set per step.
#
# Differences from the course's text: the course reads diabetes.csv.gz; this reads
# examples/data/breast-cancer-8.csv, the same layout (8 float features, then a 0/1 label, one
# sample a line). torch.manual_seed(0) first, so that a port seeded the same way starts from the
# same parameters; `--float64` reruns the program in double precision from those same
# float32-drawn parameters and float32-parsed data, to measure how far float32 rounding alone moves
# the printed numbers.
import os
import sys
import numpy as np
import torch

DTYPE = torch.float64 if '--float64' in sys.argv else torch.float32
torch.manual_seed(0)

xy = np.loadtxt(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'breast-cancer-8.csv'),
                delimiter=',', dtype=np.float32)
x_data = torch.from_numpy(xy[:, :-1]).to(DTYPE)
y_data = torch.from_numpy(xy[:, [-1]]).to(DTYPE)


class Model(torch.nn.Module):
    def __init__(self):
        super(Model, self).__init__()
        self.linear1 = torch.nn.Linear(8, 6)
        self.linear2 = torch.nn.Linear(6, 4)
        self.linear3 = torch.nn.Linear(4, 1)
        self.sigmoid = torch.nn.Sigmoid()

    def forward(self, x):
        x = self.sigmoid(self.linear1(x))
        x = self.sigmoid(self.linear2(x))
        x = self.sigmoid(self.linear3(x))
        return x


model = Model().to(DTYPE)

criterion = torch.nn.BCELoss(reduction='mean')
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(100):
    # Forward
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    print(epoch, loss.item())

    # Backward
    optimizer.zero_grad()
    loss.backward()

    # Update
    optimizer.step()
