# Lesson 8 (Dataset and DataLoader): the lesson 7 classifier trained on mini-batches of 32 samples
# drawn in a fresh random order every epoch.
#
# Differences from the course's text: the course reads diabetes.csv.gz; this reads
# examples/data/breast-cancer-8.csv, the same layout (8 float features, then a 0/1 label, one
# sample a line). The course's num_workers=2 is left out: the sampler runs in the main process
# either way, so the batches and every printed number are the same (checked), and starting two
# worker processes per epoch makes the run over ten times slower. torch.manual_seed(0) first, so
# that a port seeded the same way starts from the same parameters and shuffles in the same order;
# `--float64` reruns the program in double precision from those same float32-drawn parameters and
# float32-parsed data, to measure how far float32 rounding alone moves the printed numbers.
import os
import sys
import numpy as np
import torch
from torch.utils.data import Dataset
from torch.utils.data import DataLoader

DTYPE = torch.float64 if '--float64' in sys.argv else torch.float32
torch.manual_seed(0)


class DiabetesDataset(Dataset):
    def __init__(self, filepath):
        xy = np.loadtxt(filepath, delimiter=',', dtype=np.float32)
        self.len = xy.shape[0]
        self.x_data = torch.from_numpy(xy[:, :-1]).to(DTYPE)
        self.y_data = torch.from_numpy(xy[:, [-1]]).to(DTYPE)

    def __getitem__(self, index):
        return self.x_data[index], self.y_data[index]

    def __len__(self):
        return self.len


dataset = DiabetesDataset(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'breast-cancer-8.csv'))
train_loader = DataLoader(dataset=dataset, batch_size=32, shuffle=True)


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
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

if __name__ == '__main__':
    for epoch in range(100):
        for i, data in enumerate(train_loader, 0):
            # 1. Prepare data
            inputs, labels = data
            # 2. Forward
            y_pred = model(inputs)
            loss = criterion(y_pred, labels)
            print(epoch, i, loss.item())
            # 3. Backward
            optimizer.zero_grad()
            loss.backward()
            # 4. Update
            optimizer.step()
